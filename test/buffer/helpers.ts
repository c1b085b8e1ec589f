import path from 'node:path';
import { addExtension, unpackMultiple } from 'msgpackr';
import { z } from 'zod';
import { BufferedOutputHandle, type BufferedOutputOptions, type BufferSettings } from '../../src/buffer/index.ts';
import { FileStorage } from '../../src/buffer/file-storage.ts';
import { MemoryStorage } from '../../src/buffer/memory-storage.ts';
import { resolveBufferSettings } from '../../src/buffer/settings.ts';
import type { BufferStorage, StoredChunk } from '../../src/buffer/storage.ts';
import { newElement } from '../../src/config/element.ts';
import { EventBatch, type EventRecord } from '../../src/event/event-batch.ts';
import type { Chunk, ChunkMetadata, OutputDefinition, OutputPlugin, SystemSettings } from '../../src/plugin-api/types.ts';
import { memoryLogger, type LogEntry } from '../helpers/harness.ts';

// Fluentd's EventTime in the standard chunk format: msgpack ext type 0, 32-bit big-endian seconds then nanoseconds.
addExtension({ type: 0, unpack: (data: Buffer) => ({ sec: data.readUInt32BE(0), nsec: data.readUInt32BE(4) }) });

export interface DecodedEvent {
  sec: number;
  nsec: number;
  record: EventRecord;
}

/** Decodes a standard-format chunk body (a msgpack stream of [EventTime, record]). */
export function decodeStandard(bytes: Buffer): DecodedEvent[] {
  if (bytes.length === 0) return [];
  // A copy: msgpackr caches a dataView property on the buffer it reads, which would spoil deepEqual of the bytes.
  return (unpackMultiple(Buffer.from(bytes)) as Array<[{ sec: number; nsec: number }, EventRecord]>).map(([time, record]) => ({ ...time, record }));
}

/** A clock the test moves by hand; the buffer reads it for flush and retry decisions. */
export class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
}

/** One write() call an output plugin received. */
export interface Attempt {
  at: number;
  chunkId: string;
  metadata: ChunkMetadata;
  bytesize: number;
  recordCount: number;
  bytes: Buffer;
  events: DecodedEvent[];
}

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export interface RecordingOutput extends OutputPlugin {
  /** Every write() call, in order, failed or not. */
  attempts: Attempt[];
  /** The write() calls that returned normally. */
  delivered: Attempt[];
  /** Errors to throw on the next write() calls, one per call; an empty plan succeeds. */
  plan: Array<Error | null>;
  /** While set, write() waits on it (after recording the attempt) before deciding. */
  gate: Deferred | null;
  /** Records of all delivered chunks, in delivery order. */
  records(): EventRecord[];
}

/** A plain OutputPlugin whose write() records chunk.read() and fails as its plan says. */
export function recordingOutput(clock: FakeClock): RecordingOutput {
  const out: RecordingOutput = {
    attempts: [],
    delivered: [],
    plan: [],
    gate: null,
    async write(chunk: Chunk) {
      const bytes = await chunk.read();
      const attempt: Attempt = {
        at: clock.now(), chunkId: chunk.chunkId, metadata: chunk.metadata, bytesize: chunk.bytesize, recordCount: chunk.recordCount,
        bytes, events: decodeStandard(bytes),
      };
      out.attempts.push(attempt);
      if (out.gate) await out.gate.promise;
      const err = out.plan.shift();
      if (err) throw err;
      out.delivered.push(attempt);
    },
    records: () => out.delivered.flatMap((a) => a.events.map((e) => e.record)),
  };
  return out;
}

/** A storage that remembers every chunk it created (to read createdAt and file names). */
export class RecordingStorage implements BufferStorage {
  readonly created: StoredChunk[] = [];
  constructor(readonly inner: BufferStorage) {}
  get persistent(): boolean {
    return this.inner.persistent;
  }
  createChunk(metadata: ChunkMetadata): StoredChunk {
    const chunk = this.inner.createChunk(metadata);
    this.created.push(chunk);
    return chunk;
  }
  resume() {
    return this.inner.resume();
  }
}

const TEST_DEFINITION: OutputDefinition = {
  kind: 'output', type: 'buffer_test', description: 'test output', params: z.object({}), helpers: ['buffer'],
  create: () => ({}),
};

/** The resolved <buffer KEYS> section with ATTRS, as the plugin factory resolves it. */
export function bufferSettings(keys: string, attrs: Record<string, string>, log = memoryLogger().log): BufferSettings {
  const match = newElement('match', '**', { file: 'test.conf', line: 1 });
  const buffer = newElement('buffer', keys, { file: 'test.conf', line: 2 });
  Object.assign(buffer.attrs, attrs);
  match.elements.push(buffer);
  const settings = resolveBufferSettings(TEST_DEFINITION, match, { system: systemSettings('/nonexistent'), log, id: 'test' });
  if (!settings) throw new Error('expected a buffered output');
  return settings;
}

export function systemSettings(rootDir: string): SystemSettings {
  return { rootDir, workers: 1, workerId: 0, logLevel: 'debug', filePermission: 0o644, dirPermission: 0o755 };
}

export interface Rig {
  handle: BufferedOutputHandle;
  settings: BufferSettings;
  storage: RecordingStorage;
  logs: LogEntry[];
  /** Where the file buffer keeps its chunks. */
  bufferDir: string;
  /** <root_dir>/backup/worker0/<id> */
  backupDir: string;
}

export interface RigOptions {
  keys?: string;
  attrs?: Record<string, string>;
  plugin: OutputPlugin;
  secondary?: OutputPlugin;
  clock: FakeClock;
  /** With a root dir the buffer is a file buffer under <root>/buffer; without one, memory. */
  root: string;
  file?: boolean;
  id?: string;
  emitError?: BufferedOutputOptions['emitError'];
}

/** A BufferedOutputHandle on a real memory or file storage, with the test's clock and no timers. */
export function rig(o: RigOptions): Rig {
  const { log, entries } = memoryLogger();
  const id = o.id ?? 'out_test';
  const attrs = { ...(o.file ? { '@type': 'file' } : {}), ...o.attrs };
  const settings = bufferSettings(o.keys ?? '', attrs, log);
  const bufferDir = path.join(o.root, 'buffer');
  const backupDir = path.join(o.root, 'backup', 'worker0', id);
  const inner = o.file
    ? new FileStorage(path.join(bufferDir, 'buffer.*.log'), false, { file: 0o644, dir: 0o755 }, log, backupDir)
    : new MemoryStorage(false);
  const storage = new RecordingStorage(inner);
  const handle = new BufferedOutputHandle({
    id, settings, plugin: o.plugin, secondary: o.secondary, storage, system: systemSettings(o.root), log, clock: o.clock, timers: false, emitError: o.emitError,
  });
  return { handle, settings, storage, logs: entries, bufferDir, backupDir };
}

export function batchOf(events: Array<[number, EventRecord]>): EventBatch {
  const batch = new EventBatch();
  for (const [sec, record] of events) batch.add(sec, 0, record);
  return batch;
}

/** Lets pending promise chains (writes, their error handling, backups) run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Waits (without the fake clock) until `condition` holds. */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  await settle();
}

/** Byte lengths of the entries of a standard-format chunk body. */
export function entrySizes(bytes: Buffer): number[] {
  const sizes: number[] = [];
  unpackMultiple(Buffer.from(bytes), (_value, start, end) => {
    sizes.push((end ?? 0) - (start ?? 0));
  });
  return sizes;
}
