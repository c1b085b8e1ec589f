import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Chunk } from '../plugin-api/index.ts';

/** Chunks up to this size go up with one PutObject of known length; larger ones as a streamed multipart upload. */
export const MULTIPART_THRESHOLD = 5 * 1024 * 1024;
const PART_SIZE = 5 * 1024 * 1024;
// Memory held by a multipart upload: QUEUE_SIZE parts in flight plus the one being filled.
const QUEUE_SIZE = 2;
// zlib hands back 16 KB per threadpool round trip by default; 256 KB cuts the main thread's share of each trip.
const GZIP_OPTIONS = { chunkSize: 256 * 1024 };

export type ObjectParams = Omit<PutObjectCommandInput, 'Body' | 'ContentLength'>;

/** Uploads a chunk's bytes (gzipped on the way when asked) as one object, never holding the chunk twice in memory. */
export async function uploadChunk(client: S3Client, params: ObjectParams, chunk: Chunk, gzip: boolean, threshold = MULTIPART_THRESHOLD): Promise<void> {
  if (chunk.bytesize <= threshold) {
    const body = gzip ? await gzipToBuffer(chunk.open()) : await chunk.read();
    await client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }));
    return;
  }
  const source = chunk.open();
  const body = new PassThrough();
  const upload = new Upload({ client, params: { ...params, Body: body }, partSize: PART_SIZE, queueSize: QUEUE_SIZE, leavePartsOnError: false });
  const uploaded = upload.done();
  const piped = gzip ? pipeline(source, createGzip(GZIP_OPTIONS), body) : pipeline(source, body);
  try {
    await Promise.all([uploaded, piped]);
  } catch (err) {
    // Whichever side failed, stop the other: no half-read chunk stream, no multipart upload left open.
    source.destroy();
    body.destroy();
    await upload.abort().catch(() => undefined);
    await Promise.allSettled([uploaded, piped]);
    throw err;
  }
}

async function gzipToBuffer(source: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(source, createGzip(GZIP_OPTIONS), async (gzipped: AsyncIterable<Buffer>) => {
    for await (const part of gzipped) parts.push(part);
  });
  return Buffer.concat(parts);
}
