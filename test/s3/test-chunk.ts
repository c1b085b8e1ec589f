import { Readable } from 'node:stream';
import type { Chunk, ChunkMetadata } from '../../src/plugin-api/index.ts';

/** A buffer chunk built by a test (the Chunk interface, memo included), for driving out_s3's parts directly. */
export function testChunk(body: string | Buffer, metadata: Partial<ChunkMetadata> = {}, uniqueIdHex = '0123456789abcdef0011223344556677'): Chunk {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const memo = new Map<string, string>();
  return {
    uniqueId: Buffer.from(uniqueIdHex, 'hex'),
    chunkId: uniqueIdHex,
    metadata: { timekey: null, tag: null, variables: null, ...metadata },
    bytesize: bytes.length,
    recordCount: bytes.toString().split('\n').length - 1,
    createdAt: Date.now() / 1000,
    read: async () => bytes,
    open: () => Readable.from([bytes]),
    getMemo: (key) => memo.get(key),
    setMemo: async (key, value) => void memo.set(key, value),
  };
}
