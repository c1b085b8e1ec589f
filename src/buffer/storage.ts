import type { Chunk, ChunkMetadata } from '../plugin-api/types.ts';

/** A chunk as the buffer engine drives it: the plugin-facing Chunk plus the operations of its life cycle. */
export interface StoredChunk extends Chunk {
  state: 'staged' | 'queued';
  modifiedAt: number;
  /** Appends formatted events; synchronous so an emit's bytes land in one piece. */
  append(data: Buffer, records: number): void;
  /** Staged -> queued (the file buffer renames .b to .q after an fsync). */
  enqueue(): void;
  /** Deletes the chunk after a successful write. */
  purge(): void;
  /** Releases file handles, keeping the data (shutdown of a persistent buffer). */
  close(): void;
}

/** What a buffer plugin (`buf_memory`, `buf_file`) creates: where chunks live. */
export interface BufferStorage {
  readonly persistent: boolean;
  createChunk(metadata: ChunkMetadata): StoredChunk;
  /** Chunks left by a previous run (file buffer), staged and queued. */
  resume(): { staged: StoredChunk[]; queued: StoredChunk[] };
}

/** A key that is equal for equal metadata. */
export function metadataKey(m: ChunkMetadata): string {
  return `${m.timekey ?? ''}\u0000${m.tag ?? ''}\u0000${m.variables ? JSON.stringify(m.variables) : ''}`;
}
