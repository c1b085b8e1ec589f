import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { tempDir } from './harness.ts';

export interface LocalS3 {
  endpoint: string;
  port: number;
  client: S3Client;
  listKeys(prefix?: string): Promise<string[]>;
  getObject(key: string): Promise<{ body: Buffer; contentType: string | undefined; text: string }>;
  stop(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on 127.0.0.1, on a free port, in a temp directory, with one bucket. */
export async function startS3rver(bucket: string, options: { port?: number; dir?: string } = {}): Promise<LocalS3> {
  const tmp = options.dir ? { dir: options.dir, cleanup: () => undefined } : tempDir('logferry-s3-');
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory: path.join(tmp.dir, 's3'), configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint, port, client,
    async listKeys(prefix) {
      const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
    async getObject(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
      return { body, contentType: out.ContentType, text };
    },
    async stop() {
      await server.close();
      tmp.cleanup();
    },
  };
}

/** An HTTP proxy on 127.0.0.1 in front of a server that can answer the next requests of a method with an error. */
export async function startFaultProxy(target: number): Promise<{ endpoint: string; failNext(method: string, status: number, times: number): void; requests: Array<{ method: string; url: string; status: number }>; stop(): Promise<void> }> {
  const faults: Array<{ method: string; status: number }> = [];
  const requests: Array<{ method: string; url: string; status: number }> = [];
  const server = http.createServer((req, res) => {
    const i = faults.findIndex((f) => f.method === req.method);
    if (i >= 0) {
      const [fault] = faults.splice(i, 1);
      requests.push({ method: req.method!, url: req.url!, status: fault!.status });
      req.resume();
      res.writeHead(fault!.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault!.status === 503 ? 'SlowDown' : 'InternalError'}</Code><Message>injected</Message></Error>`);
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      requests.push({ method: req.method!, url: req.url!, status: up.statusCode! });
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(method, status, times) {
      for (let i = 0; i < times; i++) faults.push({ method, status });
    },
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
