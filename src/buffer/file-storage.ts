import {
  closeSync, createReadStream, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync,
  readFileSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { Packr, unpack } from 'msgpackr';
import type { Logger } from '../plugin-api/logger.ts';
import type { ChunkMetadata } from '../plugin-api/types.ts';
import type { BufferStorage, StoredChunk } from './storage.ts';
import { generateUniqueId } from './unique-id.ts';

const packr = new Packr({ useRecords: false });
const META_HEADER = Buffer.from([0xc1, 0x00]);
const CHUNK_NAME = /\.(b|q)([0-9a-f]{32})\./;

interface MetaMap {
  timekey: number | null;
  tag: string | null;
  variables: Record<string, string> | null;
  seq: number;
  id: Buffer;
  s: number;
  c: number;
  m: number;
  /** logferry: bytes of the body this meta vouches for; a longer body has an unacknowledged tail. */
  bytesize?: number;
  memo?: Record<string, string>;
}

/**
 * Chunks on disk exactly as Fluentd's buf_file lays them out: `<prefix>.b<32 hex><suffix>` while staged, renamed to
 * `.q<hex>` when queued, with a `.meta` sidecar (`C1 00`, 4-byte length, msgpack map). An append writes the body
 * then the meta, so after a crash at any instant the meta names how many bytes were acknowledged: a longer body is
 * cut back to it, a shorter one (or an unreadable meta) is a torn chunk, moved aside with a warning.
 */
export class FileStorage implements BufferStorage {
  readonly persistent = true;
  private readonly dir: string;
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(
    pattern: string,
    private readonly compress: boolean,
    private readonly modes: { file: number; dir: number },
    private readonly log: Logger,
    private readonly backupDir: string,
  ) {
    this.dir = path.dirname(pattern);
    const base = path.basename(pattern);
    const star = base.indexOf('*');
    this.prefix = base.slice(0, star);
    this.suffix = base.slice(star + 1);
  }

  createChunk(metadata: ChunkMetadata): StoredChunk {
    mkdirSync(this.dir, { recursive: true, mode: this.modes.dir });
    const id = generateUniqueId();
    const file = path.join(this.dir, `${this.prefix}b${id.toString('hex')}${this.suffix}`);
    return new FileChunk(file, id, metadata, this.compress, this.modes.file, true);
  }

  resume(): { staged: StoredChunk[]; queued: StoredChunk[] } {
    const staged: StoredChunk[] = [];
    const queued: StoredChunk[] = [];
    if (!existsSync(this.dir)) return { staged, queued };
    for (const name of readdirSync(this.dir).sort()) {
      if (!name.startsWith(this.prefix) || !name.endsWith(this.suffix) || name.endsWith('.meta')) continue;
      const m = CHUNK_NAME.exec(name.slice(this.prefix.length - 1));
      if (!m) continue;
      let file = path.join(this.dir, name);
      try {
        file = finishEnqueue(file, m[1]!, m[2]!);
        const chunk = FileChunk.load(file, this.compress, this.modes.file);
        (chunk.state === 'queued' ? queued : staged).push(chunk);
      } catch (err) {
        this.quarantine(file, err as Error);
      }
    }
    queued.sort((a, b) => a.modifiedAt - b.modifiedAt);
    return { staged, queued };
  }

  private quarantine(file: string, err: Error): void {
    mkdirSync(this.backupDir, { recursive: true });
    for (const f of [file, `${file}.meta`]) {
      if (existsSync(f)) renameSync(f, path.join(this.backupDir, `${path.basename(f)}.broken`));
    }
    this.log.warn({ chunk: path.basename(file), backup: this.backupDir, error: err.message }, 'found a broken chunk file during resume; moved it aside and kept going');
  }
}

class FileChunk implements StoredChunk {
  readonly chunkId: string;
  state: 'staged' | 'queued';
  bytesize = 0;
  recordCount = 0;
  createdAt = Date.now() / 1000;
  modifiedAt = this.createdAt;
  private fd: number | null = null;
  private metaFd: number | null = null;
  private memo: Record<string, string> = {};
  private metaLength = 0;

  constructor(
    private file: string,
    readonly uniqueId: Buffer,
    readonly metadata: ChunkMetadata,
    private readonly compress: boolean,
    private readonly mode: number,
    fresh: boolean,
  ) {
    this.chunkId = uniqueId.toString('hex');
    this.state = /\.q[0-9a-f]{32}\./.test(path.basename(file)) ? 'queued' : 'staged';
    if (fresh) {
      this.fd = openSync(file, 'a', mode);
      this.writeMeta();
    }
  }

  static load(file: string, compress: boolean, mode: number): FileChunk {
    const meta = readMeta(`${file}.meta`);
    const size = statSync(file).size;
    const acknowledged = meta.bytesize ?? size;
    if (size < acknowledged) throw new Error(`chunk has ${size} bytes but its meta vouches for ${acknowledged}`);
    const chunk = new FileChunk(file, Buffer.from(meta.id), { timekey: meta.timekey ?? null, tag: meta.tag ?? null, variables: meta.variables ?? null }, compress, mode, false);
    if (size > acknowledged) {
      // The tail past the meta was never acknowledged to an input (which will send it again): cut it off.
      const fd = openSync(file, 'r+');
      ftruncateSync(fd, acknowledged);
      closeSync(fd);
    }
    chunk.bytesize = acknowledged;
    chunk.recordCount = meta.s;
    chunk.createdAt = meta.c;
    chunk.modifiedAt = meta.m;
    chunk.memo = meta.memo ?? {};
    return chunk;
  }

  append(data: Buffer, records: number): void {
    const stored = this.compress ? gzipSync(data) : data;
    this.fd ??= openSync(this.file, 'a', this.mode);
    writeSync(this.fd, stored);
    this.bytesize += stored.length;
    this.recordCount += records;
    this.modifiedAt = Date.now() / 1000;
    this.writeMeta();
  }

  async read(): Promise<Buffer> {
    const body = readFileSync(this.file).subarray(0, this.bytesize);
    return this.compress ? gunzipSync(body) : body;
  }

  open(): Readable {
    const raw = createReadStream(this.file, { start: 0, end: this.bytesize - 1, highWaterMark: 1 << 20 });
    if (this.bytesize === 0) raw.destroy();
    return this.compress ? raw.pipe(createGunzip()) : raw;
  }

  getMemo(key: string): string | undefined {
    return this.memo[key];
  }

  async setMemo(key: string, value: string): Promise<void> {
    this.memo[key] = value;
    this.writeMeta();
  }

  enqueue(): void {
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
    this.closeMeta();
    const queuedName = this.file.replace(/\.b([0-9a-f]{32})\./, '.q$1.');
    renameSync(`${this.file}.meta`, `${queuedName}.meta`);
    renameSync(this.file, queuedName);
    this.file = queuedName;
    this.state = 'queued';
  }

  purge(): void {
    this.close();
    for (const f of [this.file, `${this.file}.meta`]) {
      try {
        unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.closeMeta();
  }

  private closeMeta(): void {
    if (this.metaFd !== null) closeSync(this.metaFd);
    this.metaFd = null;
  }

  private writeMeta(): void {
    const body = packr.pack({
      timekey: this.metadata.timekey, tag: this.metadata.tag, variables: this.metadata.variables, seq: 0,
      id: this.uniqueId, s: this.recordCount, c: Math.floor(this.createdAt), m: Math.floor(this.modifiedAt),
      bytesize: this.bytesize, memo: this.memo,
    } satisfies MetaMap);
    const header = Buffer.alloc(6);
    META_HEADER.copy(header);
    header.writeUInt32BE(body.length, 2);
    const all = Buffer.concat([header, body]);
    this.metaFd ??= openSync(`${this.file}.meta`, existsSync(`${this.file}.meta`) ? 'r+' : 'w+', this.mode);
    writeSync(this.metaFd, all, 0, all.length, 0);
    // The length header makes trailing bytes of a longer previous meta harmless; trim them anyway.
    if (this.metaLength > all.length) ftruncateSync(this.metaFd, all.length);
    this.metaLength = all.length;
  }
}

/**
 * An enqueue renames a chunk and its meta from `.b` to `.q` one after the other (logferry the meta first, Fluentd the
 * chunk first), so a crash between the two leaves a chunk whose meta is under the other name. The chunk was being
 * queued and its meta is final: finish the enqueue (instead of quarantining events an input was told are safe).
 */
function finishEnqueue(file: string, state: string, id: string): string {
  if (existsSync(`${file}.meta`)) return file;
  const dir = path.dirname(file);
  const name = path.basename(file);
  const queued = path.join(dir, name.replace(`.${state}${id}.`, `.q${id}.`));
  const staged = path.join(dir, name.replace(`.${state}${id}.`, `.b${id}.`));
  if (state === 'b' && existsSync(`${queued}.meta`)) {
    renameSync(file, queued);
    return queued;
  }
  if (state === 'q' && existsSync(`${staged}.meta`)) renameSync(`${staged}.meta`, `${queued}.meta`);
  return file;
}

function readMeta(file: string): MetaMap {
  const raw = readFileSync(file);
  const body = raw.subarray(0, 2).equals(META_HEADER) ? raw.subarray(6, 6 + raw.readUInt32BE(2)) : raw;
  const meta = unpack(body) as MetaMap;
  if (!meta || typeof meta !== 'object' || !meta.id || typeof meta.s !== 'number') throw new Error('meta file is unreadable');
  return meta;
}
