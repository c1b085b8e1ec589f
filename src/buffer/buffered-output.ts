import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EventBatch, EventRecord } from '../event/event-batch.ts';
import { BufferChunkOverflowError, BufferOverflowError, UnrecoverableError } from '../plugin-api/errors.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { BufferMetrics, ChunkMetadata, OutputHandle, OutputPlugin, SystemSettings } from '../plugin-api/types.ts';
import { RetryState } from './retry-state.ts';
import { packStandardEntry } from './standard-format.ts';
import type { BufferSettings } from './settings.ts';
import { metadataKey, type BufferStorage, type StoredChunk } from './storage.ts';
import { createRecordAccessor, type RecordAccessor } from '../plugin-helpers/record-accessor.ts';

export interface Clock {
  /** Epoch seconds (float). */
  now(): number;
}


export interface BufferedOutputOptions {
  id: string;
  settings: BufferSettings;
  plugin: OutputPlugin;
  storage: BufferStorage;
  system: SystemSettings;
  log: Logger;
  secondary?: OutputPlugin;
  /** The error route (@ERROR, or the log): where an event larger than chunk_limit_size goes, with its record. */
  emitError?: (tag: string, sec: number, nsec: number, record: EventRecord, error: Error) => void;
  clock?: Clock;
  /** Run the enqueue check on a timer (tests drive `enqueueCheck` themselves). */
  timers?: boolean;
}

/**
 * A buffered output (Fluentd's Output with a buffer): events are formatted into chunks by metadata (timekey, tag,
 * record keys), staged chunks are enqueued by size, time and flush mode, and queued chunks are written by up to
 * flush_thread_count concurrent writes with Fluentd's retry schedule, secondary and backup.
 */
export class BufferedOutputHandle implements OutputHandle {
  readonly id: string;
  private readonly s: BufferSettings;
  private readonly staged = new Map<string, StoredChunk>();
  private readonly queue: StoredChunk[] = [];
  private readonly inflight = new Set<StoredChunk>();
  private stageBytes = 0;
  private queueBytes = 0;
  private retry: RetryState | null = null;
  /** The message of the failure last logged in the current retry streak. */
  private lastFailure: string | undefined;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private spaceWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private stopping = false;
  private readonly clock: Clock;
  private readonly variableAccessors: Array<[string, RecordAccessor]>;
  private readonly counters = { emitRecords: 0, writtenChunks: 0, droppedChunks: 0, numErrors: 0 };
  /** Chunks the primary refused as unrecoverable, for <secondary>. */
  private readonly toSecondary = new WeakSet<StoredChunk>();

  constructor(private readonly o: BufferedOutputOptions) {
    this.id = o.id;
    this.s = o.settings;
    this.clock = o.clock ?? { now: () => Date.now() / 1000 };
    this.variableAccessors = this.s.variableKeys.map((k) => [k, createRecordAccessor(k)]);
  }

  async start(): Promise<void> {
    const { staged, queued } = this.o.storage.resume();
    for (const chunk of queued) this.pushQueue(chunk);
    for (const chunk of staged) {
      const key = metadataKey(chunk.metadata);
      if (this.staged.has(key) || this.isFull(chunk)) {
        chunk.enqueue();
        this.pushQueue(chunk);
      } else {
        this.staged.set(key, chunk);
        this.stageBytes += chunk.bytesize;
      }
    }
    if (queued.length + staged.length > 0) {
      this.o.log.info({ staged: staged.length, queued: queued.length }, 'resumed buffer chunks left by the previous run');
    }
    await this.o.plugin.start?.();
    await this.o.secondary?.start?.();
    if (this.o.timers !== false) {
      // Fluentd checks every flush_thread_interval; checking at a tenth of flush_interval too (a cheap walk over the
      // staged chunks) keeps a 1 s flush_interval from adding up to a second of latency.
      const interval = Math.max(0.05, Math.min(this.s.params.flush_thread_interval, this.s.flushMode === 'interval' ? this.s.params.flush_interval / 10 : Infinity));
      this.timer = setInterval(() => this.enqueueCheck(), interval * 1000);
      this.timer.unref?.();
    }
    this.pump();
  }

  // ---- accepting events --------------------------------------------------------------------------------------

  async emit(tag: string, batch: EventBatch): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.stage(tag, batch);
    } catch (err) {
      this.counters.numErrors++;
      throw err;
    }
  }

  /** Formats a batch into the staged chunks of its metadata (after waiting for room, or refusing it). */
  private async stage(tag: string, batch: EventBatch): Promise<void> {
    await this.makeRoom();
    const { secs, nsecs, records } = batch;
    const timekey = this.s.timekey;
    const offset = this.s.timekeyOffset;
    const withTag = this.s.chunkKeys.includes('tag') ? tag : null;
    const format = this.o.plugin.format;
    let groupKey = '';
    let groupMeta: ChunkMetadata | null = null;
    let pieces: Array<string | Buffer> = [];
    const flushGroup = () => {
      if (groupMeta && pieces.length > 0) this.appendPieces(groupMeta, groupKey, pieces);
      pieces = [];
    };
    for (let i = 0; i < records.length; i++) {
      const sec = secs[i]!;
      const record = records[i]!;
      const tk = timekey === null ? null : sec - (((sec + offset) % timekey) + timekey) % timekey;
      let variables: Record<string, string> | null = null;
      if (this.variableAccessors.length > 0) {
        variables = {};
        for (const [key, accessor] of this.variableAccessors) {
          const v = accessor.get(record);
          variables[key] = v === undefined || v === null ? '' : String(v);
        }
      }
      const meta: ChunkMetadata = { timekey: tk, tag: withTag, variables };
      const key = variables || !groupMeta || groupMeta.timekey !== tk ? metadataKey(meta) : groupKey;
      if (key !== groupKey) {
        flushGroup();
        groupKey = key;
        groupMeta = meta;
      }
      const piece = format ? format.call(this.o.plugin, tag, sec, nsecs[i]!, record) : packStandardEntry(sec, nsecs[i]!, record);
      if (this.exceedsChunkLimit(piece)) {
        this.rejectOversized(tag, sec, nsecs[i]!, record, piece, i);
        continue;
      }
      pieces.push(piece);
    }
    flushGroup();
    this.counters.emitRecords += records.length;
    // flush_mode immediate: every emit enqueues its chunk at once (test/buffer/buffered-output.test.ts checks it).
    if (this.s.flushMode === 'immediate') this.enqueueAll();
    this.pump();
  }

  /** Appends formatted events to the staged chunk of their metadata, splitting at chunk_limit_size/records. */
  private appendPieces(meta: ChunkMetadata, key: string, pieces: Array<string | Buffer>): void {
    const limitBytes = this.s.chunkLimitSize;
    const limitRecords = this.s.params.chunk_limit_records ?? Infinity;
    let start = 0;
    while (start < pieces.length) {
      let chunk = this.staged.get(key);
      if (!chunk) {
        chunk = this.o.storage.createChunk(meta);
        this.staged.set(key, chunk);
      }
      let bytes = 0;
      let end = start;
      if (start === 0 && chunk.recordCount + pieces.length <= limitRecords && chunk.bytesize + maxBytes(pieces) <= limitBytes) {
        end = pieces.length; // all of it fits even at 3 bytes per UTF-16 unit: no exact size per piece needed
      }
      while (end < pieces.length) {
        const size = typeof pieces[end] === 'string' ? Buffer.byteLength(pieces[end] as string) : (pieces[end] as Buffer).length;
        const count = end - start + 1;
        if ((chunk.bytesize + bytes + size > limitBytes || chunk.recordCount + count > limitRecords) && (end > start || chunk.recordCount > 0)) break;
        bytes += size;
        end++;
      }
      if (end > start) {
        const slice = pieces.slice(start, end);
        const data = slice.every((p) => typeof p === 'string') ? Buffer.from(slice.join('')) : Buffer.concat(slice.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
        const before = chunk.bytesize;
        chunk.append(data, end - start);
        this.stageBytes += chunk.bytesize - before;
      }
      if (end < pieces.length || this.isFull(chunk)) this.enqueueChunk(key, chunk);
      start = end;
    }
  }

  private exceedsChunkLimit(piece: string | Buffer): boolean {
    const limit = this.s.chunkLimitSize;
    if (typeof piece !== 'string') return piece.length > limit;
    return piece.length * 3 > limit && Buffer.byteLength(piece) > limit;
  }

  /**
   * Fluentd raises BufferChunkOverflowError for an event no chunk can hold and writes the rest of the stream; here
   * that event alone goes to the error route with its record, so nothing is lost and nothing is written twice.
   */
  private rejectOversized(tag: string, sec: number, nsec: number, record: EventRecord, piece: string | Buffer, nth: number): void {
    const size = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    const error = new BufferChunkOverflowError(`a ${size} bytes record (nth: ${nth}) is larger than buffer chunk limit size (${this.s.chunkLimitSize})`);
    if (this.o.emitError) this.o.emitError(tag, sec, nsec, record, error);
    else this.o.log.error({ tag, record, err: error }, 'an event larger than chunk_limit_size is dropped');
  }

  private overflowError(): BufferOverflowError {
    return new BufferOverflowError(`buffer space has too many data (${this.stageBytes + this.queueBytes} bytes >= total_limit_size ${this.s.totalLimitSize}) in ${this.id}`);
  }

  private isFull(chunk: StoredChunk): boolean {
    const t = this.s.params.chunk_full_threshold;
    return chunk.bytesize >= this.s.chunkLimitSize * t || chunk.recordCount >= (this.s.params.chunk_limit_records ?? Infinity) * t;
  }

  /** total_limit_size: throw_exception rejects, block waits for room, drop_oldest_chunk drops the oldest queued chunk. */
  private async makeRoom(): Promise<void> {
    while (this.stageBytes + this.queueBytes >= this.s.totalLimitSize) {
      const action = this.s.params.overflow_action;
      if (action === 'throw_exception') {
        throw this.overflowError();
      }
      if (action === 'drop_oldest_chunk') {
        const oldest = this.queue.shift();
        if (!oldest) {
          // As Fluentd: nothing queued to drop (the space is staged or being written) and still not storable.
          this.o.log.error({}, 'no queued chunks to be dropped for drop_oldest_chunk');
          throw this.overflowError();
        }
        this.queueBytes -= oldest.bytesize;
        oldest.purge();
        this.counters.droppedChunks++;
        this.o.log.warn({ chunk_id: oldest.chunkId, records: oldest.recordCount }, 'dropping oldest chunk to make space (overflow_action drop_oldest_chunk)');
        continue;
      }
      this.enqueueAll();
      this.pump();
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  // ---- enqueueing -------------------------------------------------------------------------------------------

  /** The enqueue thread's check: time-based enqueueing per flush mode. */
  enqueueCheck(): void {
    const now = this.clock.now();
    for (const [key, chunk] of [...this.staged]) {
      if (this.queue.length >= this.s.queuedChunksLimit && this.s.flushMode !== 'immediate') break;
      const tk = chunk.metadata.timekey;
      const timekeyDue = tk !== null && this.s.timekey !== null && tk + this.s.timekey + this.s.params.timekey_wait <= now;
      const intervalDue = this.s.flushMode === 'interval' && chunk.createdAt + this.s.params.flush_interval <= now;
      if (this.s.flushMode === 'lazy' ? timekeyDue : intervalDue || (this.s.flushMode === 'interval' && timekeyDue)) {
        this.enqueueChunk(key, chunk);
      }
    }
    this.pump();
  }

  private enqueueChunk(key: string, chunk: StoredChunk): void {
    if (this.staged.get(key) === chunk) this.staged.delete(key);
    this.stageBytes -= chunk.bytesize;
    if (chunk.recordCount === 0) {
      chunk.purge();
      return;
    }
    chunk.enqueue();
    this.pushQueue(chunk);
  }

  private pushQueue(chunk: StoredChunk): void {
    this.queue.push(chunk);
    this.queueBytes += chunk.bytesize;
  }

  private enqueueAll(): void {
    for (const [key, chunk] of [...this.staged]) this.enqueueChunk(key, chunk);
  }

  // ---- writing ----------------------------------------------------------------------------------------------

  /** Starts writes while there are queued chunks, free flush threads and no retry wait pending. */
  private pump(): void {
    if (this.retry && this.clock.now() < this.retry.next) {
      this.scheduleRetry();
      return;
    }
    while (this.inflight.size < this.s.flushThreadCount && this.queue.length > 0) {
      // While retrying, one chunk at a time, as Fluentd's single retry state implies.
      if (this.retry && this.inflight.size > 0) break;
      const chunk = this.queue.shift()!;
      this.inflight.add(chunk);
      void this.writeChunk(chunk);
    }
    if (this.inflight.size === 0 && this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.retry) return;
    const delay = Math.max(0, (this.retry.next - this.clock.now()) * 1000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
    this.retryTimer.unref?.();
  }

  private async writeChunk(chunk: StoredChunk): Promise<void> {
    const useSecondary = this.toSecondary.delete(chunk) || (this.retry?.useSecondary(this.clock.now()) ?? false);
    const target = useSecondary ? this.o.secondary! : this.o.plugin;
    try {
      if (!target.write) throw new UnrecoverableError(`${this.id} has no write for buffered chunks`);
      await target.write(chunk);
      if (this.retry) this.o.log.warn({ chunk_id: chunk.chunkId, retry_count: this.retry.steps, secondary: useSecondary || undefined }, 'retry succeeded');
      this.retry = null;
      this.finish(chunk);
      this.counters.writtenChunks++;
    } catch (err) {
      this.handleWriteError(chunk, err as Error, useSecondary);
    } finally {
      this.inflight.delete(chunk);
      this.notifySpace();
      if (!this.stopping || this.s.flushAtShutdown) this.pump();
    }
  }

  private finish(chunk: StoredChunk): void {
    this.queueBytes -= chunk.bytesize;
    chunk.purge();
  }

  private handleWriteError(chunk: StoredChunk, err: Error, viaSecondary: boolean): void {
    this.counters.numErrors++;
    const now = this.clock.now();
    if (err instanceof UnrecoverableError && !viaSecondary && this.o.secondary?.write) {
      this.o.log.warn({ chunk_id: chunk.chunkId, err }, 'got unrecoverable error in primary and secondary is configured; writing the chunk to secondary');
      this.toSecondary.add(chunk);
      this.queue.unshift(chunk);
      return;
    }
    if (err instanceof UnrecoverableError) {
      this.o.log.error({ chunk_id: chunk.chunkId, records: chunk.recordCount, err }, 'got unrecoverable error in primary and no secondary');
      this.backup(chunk);
      return;
    }
    if (!this.retry) {
      this.retry = new RetryState(this.s.params, now, Boolean(this.o.secondary));
    } else {
      this.retry.step(now);
    }
    this.queue.unshift(chunk);
    if (this.retry.limitReached()) {
      this.o.log.error({ retry_times: this.retry.steps, records: this.queue.reduce((n, c) => n + c.recordCount, 0), err },
        'failed to flush the buffer, and hit limit for retries. dropping all chunks in the buffer queue (each is backed up unless disable_chunk_backup)');
      for (const c of this.queue.splice(0)) this.backup(c);
      this.retry = null;
      return;
    }
    // One warn line per failure streak: a retry failing the same way again is logged at debug.
    const repeated = this.retry.steps > 0 && err.message === this.lastFailure;
    this.lastFailure = err.message;
    this.o.log[repeated ? 'debug' : 'warn']({ retry_times: this.retry.steps, next_retry_time: new Date(this.retry.next * 1000).toISOString(), chunk_id: chunk.chunkId, err },
      'failed to flush the buffer.');
    this.scheduleRetry();
  }

  /** Unrecoverable or given-up chunks go to <root_dir>/backup/worker0/<id>/<chunk_id>.log (Fluentd's backup). */
  private backup(chunk: StoredChunk): void {
    this.queueBytes -= chunk.bytesize;
    this.counters.droppedChunks++;
    if (this.s.params.disable_chunk_backup) {
      this.o.log.warn({ chunk_id: chunk.chunkId, records: chunk.recordCount }, 'disable_chunk_backup is true: the chunk is dropped');
      chunk.purge();
      return;
    }
    const dir = path.join(this.o.system.rootDir ?? '/tmp/fluent', 'backup', `worker${this.o.system.workerId}`, this.id.replace(/[^\w.-]/g, '_'));
    const file = path.join(dir, `${chunk.chunkId}.log`);
    void chunk.read().then((body) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, body);
      this.o.log.warn({ chunk_id: chunk.chunkId, records: chunk.recordCount, path: file }, 'bad chunk is moved to the backup file');
      chunk.purge();
    }, (err: Error) => this.o.log.error({ chunk_id: chunk.chunkId, err }, 'could not back up a chunk; it stays in the buffer directory'));
  }

  private notifySpace(): void {
    if (this.stageBytes + this.queueBytes < this.s.totalLimitSize) for (const resolve of this.spaceWaiters.splice(0)) resolve();
  }

  // ---- control ----------------------------------------------------------------------------------------------

  /** SIGUSR1 (Fluentd's force_flush): everything staged is enqueued and written now, retry waits skipped. */
  async flush(): Promise<void> {
    this.enqueueAll();
    if (this.retry) this.retry.next = this.clock.now();
    this.pump();
    await this.idle();
  }

  private idle(): Promise<void> {
    if (this.inflight.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.s.flushAtShutdown) {
      this.enqueueAll();
      // One attempt per chunk at shutdown: a failing destination must not hold the process forever.
      this.retry = null;
      while (this.queue.length > 0 || this.inflight.size > 0) {
        const before = this.queue.length + this.inflight.size;
        this.pump();
        await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 200))]);
        if (this.retry && this.queue.length + this.inflight.size >= before && this.inflight.size === 0) break;
      }
    }
    while (this.inflight.size > 0) await new Promise((r) => setTimeout(r, 20));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const left = [...this.staged.values(), ...this.queue];
    const records = left.reduce((n, c) => n + c.recordCount, 0);
    if (records > 0) {
      if (this.o.storage.persistent) this.o.log.info({ chunks: left.length, records }, 'chunks kept in the file buffer for the next start');
      else this.o.log.error({ chunks: left.length, records }, 'memory buffer still held events at shutdown; they are lost (use a file buffer or flush_at_shutdown true)');
    }
    for (const c of left) c.close();
    for (const resolve of this.spaceWaiters.splice(0)) resolve();
    await this.o.plugin.shutdown?.();
    await this.o.secondary?.shutdown?.();
  }

  metrics(): BufferMetrics {
    return {
      stagedChunks: this.staged.size,
      queueLength: this.queue.length,
      stageBytes: this.stageBytes,
      queueBytes: this.queueBytes,
      retryCount: this.retry?.steps ?? 0,
      nextRetryTime: this.retry?.next ?? null,
      retryStart: this.retry?.start ?? null,
      timekeys: [...new Set([...this.staged.values(), ...this.queue, ...this.inflight].flatMap((c) => (c.metadata.timekey === null ? [] : [c.metadata.timekey])))].sort((a, b) => a - b),
      totalLimitSize: this.s.totalLimitSize,
      ...this.counters,
    };
  }
}

/** An upper bound of the UTF-8 size of the pieces: a UTF-16 code unit never takes more than 3 bytes. */
function maxBytes(pieces: Array<string | Buffer>): number {
  let n = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    n += typeof p === 'string' ? p.length * 3 : p.length;
  }
  return n;
}
