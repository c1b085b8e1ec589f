import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { EventBatch, nowEventTime, type EventRecord, type InputContext, type Parser } from '../plugin-api/index.ts';
import type { Extracted, Extractor } from '../plugin-helpers/extract.ts';
import { originAllowed } from './cors.ts';
import { decodeForm } from './form.ts';
import { parseMultipart } from './multipart.ts';
import { BadRequest, defaultRecords } from './records.ts';

export interface HttpOptions {
  port: number;
  bind: string;
  backlog: number | undefined;
  /** <transport tls>: HTTPS. */
  tls: TlsOptions | undefined;
  bodySizeLimit: number;
  decompressionSizeLimit: number;
  keepaliveTimeout: number;
  addHttpHeaders: boolean;
  addRemoteAddr: boolean;
  addQueryParams: boolean;
  addTagPrefix: string | undefined;
  corsAllowOrigins: string[] | undefined;
  corsAllowCredentials: boolean;
  respondWithEmptyImg: boolean;
  use204Response: boolean;
  dumpErrorLog: boolean;
  /** The default format: `json=` / `msgpack=` / `ndjson=` parameters, the time from the record's time field. */
  json: Parser | undefined;
  recordTime: Extractor | undefined;
  /** A <parse> of another type: the body is one text for it. */
  custom: Parser | undefined;
}

const EMPTY_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=', 'base64');
const TEXT = { 'Content-Type': 'text/plain' };

/** in_http: POST /TAG turns a body (JSON, a JSON array, ndjson, msgpack, a form) into events. */
export class HttpSource {
  private server: Server | undefined;

  constructor(private readonly ctx: InputContext, private readonly o: HttpOptions) {}

  async start(): Promise<number> {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    const server = this.o.tls ? createHttpsServer(this.o.tls, onRequest) : createServer(onRequest);
    server.keepAliveTimeout = this.o.keepaliveTimeout * 1000;
    // Expect: 100-continue is answered by the size the client announces, as Fluentd.
    server.on('checkContinue', (req, res) => {
      if (Number(req.headers['content-length'] ?? 0) >= this.o.bodySizeLimit) {
        this.reply(res, 413, {}, 'Too large', true);
        return;
      }
      res.writeContinue();
      this.onRequest(req, res);
    });
    server.on('error', (err) => this.ctx.log.error({ error: err.message }, 'http server error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.o.port, host: this.o.bind, backlog: this.o.backlog }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > this.o.bodySizeLimit) {
        tooLarge = true;
        this.reply(res, 413, {}, 'Too large', true);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) void this.handle(req, res, Buffer.concat(chunks));
    });
    req.on('error', (err) => this.ctx.log.debug({ error: err.message }, 'http request error'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const { o } = this;
    const origin = req.headers.origin;
    if (req.method === 'GET') return this.reply(res, 200, {}, '', true);
    if (req.method === 'OPTIONS') return this.preflight(req, res, origin);
    if (o.corsAllowOrigins && !(o.corsAllowOrigins.includes('*') || originAllowed(o.corsAllowOrigins, origin) || origin === undefined)) {
      return this.reply(res, 403, { Connection: 'close' }, '', true);
    }
    const encoding = req.headers['content-encoding'];
    try {
      if (encoding === 'gzip') body = gunzipSync(body, { maxOutputLength: o.decompressionSizeLimit });
      else if (encoding === 'deflate') body = inflateSync(body, { maxOutputLength: o.decompressionSizeLimit });
    } catch (err) {
      this.ctx.log.warn({ error: (err as Error).message }, 'fails to decode payload');
      return this.reply(res, 400, {}, '', true);
    }
    const url = new URL(req.url ?? '/', 'http://in_http');
    const result = this.toEvents(req, url, body);
    const headers: Record<string, string> = {};
    if (o.corsAllowOrigins) {
      if (o.corsAllowOrigins.includes('*')) headers['Access-Control-Allow-Origin'] = '*';
      else if (originAllowed(o.corsAllowOrigins, origin)) {
        headers['Access-Control-Allow-Origin'] = origin!;
        if (o.corsAllowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
      }
    }
    if (result instanceof Error) {
      if (o.dumpErrorLog) this.ctx.log.error({ error: result.message }, 'failed to process request');
      return this.reply(res, 400, { ...TEXT, ...headers }, `400 Bad Request\n${result.message}\n`);
    }
    if (result.batch.length > 0) {
      try {
        await this.ctx.emit(result.tag, result.batch);
      } catch (err) {
        // A full buffer: the client gets 500 and keeps the events to send again.
        if (o.dumpErrorLog) this.ctx.log.error({ error: (err as Error).message }, 'failed to emit data');
        return this.reply(res, 500, { ...TEXT, ...headers }, `500 Internal Server Error\n${(err as Error).message}\n`);
      }
    }
    if (o.respondWithEmptyImg) return this.reply(res, 200, { 'Content-Type': 'image/gif; charset=utf-8', ...headers }, EMPTY_GIF);
    if (o.use204Response) return this.reply(res, 204, headers, '');
    return this.reply(res, 200, { ...TEXT, ...headers }, '');
  }

  /** The events of one request, or the reason it has none (answered 400). */
  private toEvents(req: IncomingMessage, url: URL, body: Buffer): { tag: string; batch: EventBatch } | Error {
    const { o } = this;
    // Ruby's String#split drops trailing empty fields: /a/b/ is a.b
    let tag = url.pathname.slice(1).split('/').join('.').replace(/\.+$/, '');
    if (o.addTagPrefix !== undefined) tag = `${o.addTagPrefix}.${tag}`;
    const params = decodeForm(url.search.slice(1));
    const env = this.env(req);
    const batch = new EventBatch();
    try {
      const timeParam = params.get('time');
      const records = this.records(req, params, body, batch);
      const now = nowEventTime();
      const fixed = timeParam === undefined ? undefined : floatTime(Number.parseFloat(timeParam.toString()) || 0) ?? now;
      const extracted: Extracted = { tag: undefined, sec: NaN, nsec: 0 };
      for (const r of records) {
        let sec = r.sec;
        let nsec = r.nsec;
        if (fixed) ({ sec, nsec } = fixed);
        else if (o.recordTime) {
          o.recordTime(r.record, extracted);
          if (Number.isNaN(sec)) ({ sec, nsec } = extracted);
        }
        if (Number.isNaN(sec)) ({ sec, nsec } = now);
        this.addParams(r.record, params, env);
        batch.add(sec, nsec, r.record);
      }
    } catch (err) {
      return err as Error;
    }
    return { tag, batch };
  }

  private records(req: IncomingMessage, params: Map<string, Buffer>, body: Buffer, scratch: EventBatch): Array<{ sec: number; nsec: number; record: EventRecord }> {
    const { o } = this;
    if (o.custom) {
      if (!o.custom.parse(body.toString('utf8'), scratch)) throw new BadRequest(`pattern not matched: ${JSON.stringify(body.toString('utf8').slice(0, 100))}`);
      const out = scratch.records.map((record, i) => ({ sec: scratch.secs[i]!, nsec: scratch.nsecs[i]!, record }));
      scratch.secs = [];
      scratch.nsecs = [];
      scratch.records = [];
      return out;
    }
    const type = req.headers['content-type'] ?? '';
    if (/^application\/x-www-form-urlencoded/.test(type)) for (const [k, v] of decodeForm(body)) params.set(k, v);
    else if (/^multipart\/form-data/.test(type)) for (const [k, v] of parseMultipart(body, type)) params.set(k, v);
    else if (/^application\/(json|csp-report)/.test(type)) params.set('json', body);
    else if (/^application\/msgpack/.test(type)) params.set('msgpack', body);
    else if (/^application\/x-ndjson/.test(type)) params.set('ndjson', body);
    const { records, skipped } = defaultRecords(params, o.json!);
    if (skipped > 0) this.ctx.log.debug({ path: req.url, skipped }, 'incoming event is invalid');
    return records.map((record) => ({ sec: NaN, nsec: 0, record }));
  }

  /** HTTP_* from the headers and REMOTE_ADDR (X-Forwarded-For's first address when given), as Fluentd's env. */
  private env(req: IncomingMessage): Record<string, string> {
    const env: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      env[`HTTP_${req.rawHeaders[i]!.replace(/-/g, '_').toUpperCase()}`] = req.rawHeaders[i + 1]!;
    }
    const forwarded = req.headers['x-forwarded-for'];
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    env.REMOTE_ADDR = forwarded ? String(forwarded).split(',')[0]! : remote;
    return env;
  }

  private addParams(record: EventRecord, params: Map<string, Buffer>, env: Record<string, string>): void {
    if (this.o.addHttpHeaders) for (const [k, v] of Object.entries(env)) if (k.startsWith('HTTP_')) record[k] = v;
    if (this.o.addQueryParams) for (const [k, v] of params) if (k !== 'json' && k !== 'msgpack' && k !== 'ndjson') record[`QUERY_${k.replace(/-/g, '_').toUpperCase()}`] = v.toString('utf8');
    if (this.o.addRemoteAddr) record.REMOTE_ADDR = env.REMOTE_ADDR;
  }

  private preflight(req: IncomingMessage, res: ServerResponse, origin: string | undefined): void {
    const origins = this.o.corsAllowOrigins;
    if (!origins || req.headers['access-control-request-method'] !== 'POST') return this.reply(res, 403, {}, '', true);
    const headers: Record<string, string> = {
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? ''),
    };
    if (origins.includes('*')) headers['Access-Control-Allow-Origin'] = '*';
    else if (originAllowed(origins, origin)) {
      headers['Access-Control-Allow-Origin'] = origin!;
      if (this.o.corsAllowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
    } else return this.reply(res, 403, {}, '', true);
    this.reply(res, 200, headers, '', true);
  }

  private reply(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, close = false): void {
    if (res.headersSent) return;
    const out: Record<string, string | number> = { 'Content-Type': 'text/plain', ...headers };
    if (status !== 204) out['Content-Length'] = Buffer.byteLength(body);
    if (close) out.Connection = 'close';
    res.writeHead(status, out);
    res.end(body);
  }
}

/** `?time=`: a float of seconds; 0 (or no number) means now, as Fluentd. */
function floatTime(value: number): { sec: number; nsec: number } | undefined {
  if (value === 0) return undefined;
  const sec = Math.floor(value);
  return { sec, nsec: Math.round((value - sec) * 1e9) };
}
