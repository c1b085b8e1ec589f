import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { tempDir } from './harness.ts';

export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  metadata: Record<string, string>;
  /** The body as text, gunzipped first for .gz keys. */
  text: string;
}

export interface LocalS3 {
  endpoint: string;
  port: number;
  /** A client of our own (not the code under test's), to look at what arrived. */
  client: S3Client;
  listObjects(prefix?: string): Promise<Array<{ key: string; size: number }>>;
  listKeys(prefix?: string): Promise<string[]>;
  getObject(key: string): Promise<StoredObject>;
  /** Stops serving (the port refuses connections) and keeps the data; `start` serves it again on the same port. */
  pause(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A real S3-compatible server (s3rver) on 127.0.0.1, on a free port, in a temp directory, with one bucket. */
export async function startS3rver(bucket: string): Promise<LocalS3> {
  const tmp = tempDir('logferry-s3-');
  const directory = path.join(tmp.dir, 's3');
  // A port below Linux's ephemeral range (32768+): no outgoing connection or listen(0) can take it while the server
  // is paused, so it can start again on the same port.
  let port = 20_000 + Math.floor(Math.random() * 12_000);
  let server: S3rver | undefined;
  let started = false;
  const start = async (retries = 50): Promise<void> => {
    if (server) return;
    const candidate = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    try {
      await candidate.run();
      server = candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || retries === 0) throw err;
      if (!started) port = 20_000 + Math.floor(Math.random() * 12_000);
      await new Promise((r) => setTimeout(r, 20));
      await start(retries - 1);
    }
  };
  const pause = async () => {
    await server?.close();
    server = undefined;
  };
  await start();
  started = true;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const listObjects = async (prefix?: string) => {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size! })).sort((a, b) => (a.key < b.key ? -1 : 1));
  };
  return {
    endpoint, port, client, listObjects, pause,
    start: () => start(),
    listKeys: async (prefix) => (await listObjects(prefix)).map((o) => o.key),
    async getObject(key) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
      return { body, contentType: out.ContentType, metadata: out.Metadata ?? {}, text };
    },
    async stop() {
      await pause();
      client.destroy();
      tmp.cleanup();
    },
  };
}

export type Fault = number | 'reset' | 'after-500' | 'hold';

export interface FaultProxy {
  endpoint: string;
  /**
   * The next `times` requests of `method` (and whose URL contains `urlPart`) get the fault: an HTTP status answered
   * without reaching the server, 'reset' (the connection dropped once the body started arriving), or 'after-500'
   * (forwarded, and the server's success answered as a 500: the ambiguous failure that makes retries duplicate),
   * or 'hold' (forwarded, and the server's answer never sent on: the client waits, as when it dies mid-request).
   */
  failNext(method: string, fault: Fault, times?: number, urlPart?: string): void;
  /** Every request, with its answer ('unreachable': the server behind the proxy refused the connection). */
  requests: Array<{ method: string; url: string; status: number | 'reset' | 'held' | 'unreachable'; at: number }>;
  stop(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of a server, injecting faults into chosen requests. */
export async function startFaultProxy(target: number): Promise<FaultProxy> {
  const faults: Array<{ method: string; fault: Fault; urlPart: string }> = [];
  const requests: FaultProxy['requests'] = [];
  const server = http.createServer((req, res) => {
    const i = faults.findIndex((f) => f.method === req.method && req.url!.includes(f.urlPart));
    const fault = i >= 0 ? faults.splice(i, 1)[0]!.fault : undefined;
    if (fault === 'reset') {
      requests.push({ method: req.method!, url: req.url!, status: 'reset', at: Date.now() });
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    if (typeof fault === 'number') {
      requests.push({ method: req.method!, url: req.url!, status: fault, at: Date.now() });
      req.resume();
      const code = fault === 503 ? 'SlowDown' : fault === 403 ? 'AccessDenied' : 'InternalError';
      res.writeHead(fault, { 'content-type': 'application/xml' });
      res.end(req.method === 'HEAD' ? undefined : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const status = fault === 'after-500' ? 500 : fault === 'hold' ? 'held' : up.statusCode!;
      requests.push({ method: req.method!, url: req.url!, status, at: Date.now() });
      if (fault === 'hold') {
        up.resume();
        return;
      }
      if (fault === 'after-500') {
        up.resume();
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected after the write</Message></Error>');
        return;
      }
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      requests.push({ method: req.method!, url: req.url!, status: 'unreachable', at: Date.now() });
      res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(method, fault, times = 1, urlPart = '') {
      for (let i = 0; i < times; i++) faults.push({ method, fault, urlPart });
    },
    requests,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
