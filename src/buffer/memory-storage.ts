import { Readable } from 'node:stream';
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import type { ChunkMetadata } from '../plugin-api/types.ts';
import type { BufferStorage, StoredChunk } from './storage.ts';
import { generateUniqueId } from './unique-id.ts';

/** Chunks in memory (buf_memory): fast, and gone with the process. */
export class MemoryStorage implements BufferStorage {
  readonly persistent = false;
  constructor(private readonly compress: boolean) {}

  createChunk(metadata: ChunkMetadata): StoredChunk {
    return new MemoryChunk(metadata, this.compress);
  }

  resume() {
    return { staged: [], queued: [] };
  }
}

class MemoryChunk implements StoredChunk {
  readonly uniqueId = generateUniqueId();
  readonly chunkId = this.uniqueId.toString('hex');
  readonly createdAt = Date.now() / 1000;
  modifiedAt = this.createdAt;
  state: 'staged' | 'queued' = 'staged';
  bytesize = 0;
  recordCount = 0;
  private parts: Buffer[] = [];
  private readonly memo = new Map<string, string>();

  constructor(readonly metadata: ChunkMetadata, private readonly compress: boolean) {}

  append(data: Buffer, records: number): void {
    const stored = this.compress ? gzipSync(data) : data;
    this.parts.push(stored);
    this.bytesize += stored.length;
    this.recordCount += records;
    this.modifiedAt = Date.now() / 1000;
  }

  async read(): Promise<Buffer> {
    const body = Buffer.concat(this.parts);
    return this.compress ? gunzipSync(body) : body;
  }

  open(): Readable {
    const raw = Readable.from(this.parts, { objectMode: false });
    return this.compress ? raw.pipe(createGunzip()) : raw;
  }

  getMemo(key: string): string | undefined {
    return this.memo.get(key);
  }

  async setMemo(key: string, value: string): Promise<void> {
    this.memo.set(key, value);
  }

  enqueue(): void {
    this.state = 'queued';
  }

  purge(): void {
    this.parts = [];
  }

  close(): void {}
}
