import { execFileSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import fluentLogger from 'fluent-logger';
import { Packr, Unpackr } from 'msgpackr';
import { packStandardEntry } from '../../src/buffer/standard-format.ts';
import { startEngine, waitUntil, type RunningEngine } from '../helpers/harness.ts';

export const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false });

/** A running engine whose config has one forward source on port 0, and the port it listens on. */
export async function startReceiver(config: string): Promise<RunningEngine & { port: number }> {
  const running = await startEngine(config);
  let port = 0;
  await waitUntil(() => {
    const line = running.logs.find((l) => l.msg === 'listening port');
    port = (line?.port as number | undefined) ?? 0;
    return port > 0;
  }, 5000, 'in_forward to listen');
  return Object.assign(running, { port });
}

/** str32 header + bytes, as out_forward writes packed entries. */
export function str32(bytes: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0xdb;
  head.writeUInt32BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

/** One [time, record] entry with EventTime (ext 0), as Fluentd packs it. */
export const entry = (sec: number, nsec: number, record: Record<string, unknown>) => packStandardEntry(sec, nsec, record);

/** A fixext 8 EventTime on its own. */
export function eventTime(sec: number, nsec: number): Buffer {
  const b = Buffer.alloc(10);
  b[0] = 0xd7;
  b[1] = 0;
  b.writeUInt32BE(sec, 2);
  b.writeUInt32BE(nsec, 6);
  return b;
}

/** A fixarray of already packed elements. */
export function array(...elements: Buffer[]): Buffer {
  if (elements.length > 15) throw new Error('fixarray only');
  return Buffer.concat([Buffer.from([0x90 | elements.length]), ...elements]);
}

export const pk = (v: unknown) => packr.pack(v);

/** A raw client: writes bytes, collects the msgpack objects the server answers, sees the close. */
export class RawClient {
  readonly replies: unknown[] = [];
  closed = false;
  error: Error | undefined;
  private pending: Buffer = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.pending = Buffer.concat([this.pending, d]);
      try {
        const values = unpackr.unpackMultiple(this.pending) as unknown[];
        this.replies.push(...values);
        this.pending = Buffer.alloc(0);
      } catch (err) {
        const e = err as { incomplete?: boolean; lastPosition?: number; values?: unknown[] };
        if (!e.incomplete) throw err;
        this.replies.push(...(e.values ?? []));
        this.pending = this.pending.subarray(e.lastPosition ?? 0);
      }
    });
    socket.on('error', (err) => (this.error = err));
    socket.on('close', () => (this.closed = true));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async reply(count = 1, timeoutMs = 5000): Promise<unknown> {
    await waitUntil(() => this.replies.length >= count, timeoutMs, `${count} replies (have ${this.replies.length})`);
    return this.replies[count - 1];
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return waitUntil(() => this.closed, timeoutMs, 'the server to close the connection');
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A self-signed CA and a server certificate for 127.0.0.1/localhost, made by the openssl CLI. */
export function makeCerts(dir: string, passphrase = 'secret'): { ca: string; cert: string; key: string; passphrase: string } {
  const f = (name: string) => path.join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=logferry test CA');
  run('req', '-newkey', 'rsa:2048', '-passout', `pass:${passphrase}`, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  const ext = f('ext.cnf');
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > '${ext}'`]);
  run('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', ext);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key'), passphrase };
}

/** A fluent-logger sender (the real client) with acks on, quick reconnects and a quiet logger. */
type Sender = ReturnType<typeof fluentLogger.createFluentSender<Record<string, unknown>>>;

export function sender(port: number, eventMode: string, extra: Record<string, unknown> = {}): Sender {
  return fluentLogger.createFluentSender<Record<string, unknown>>('app', {
    host: '127.0.0.1', port, eventMode, requireAckResponse: true, reconnectInterval: 200, flushInterval: 10,
    internalLogger: { info() {}, error() {} }, ...extra,
  } as never);
}

export const emitAll = (s: Sender, n: number, label = 'x') =>
  Promise.all(Array.from({ length: n }, (_, i) => new Promise<void>((resolve, reject) => s.emit(label, { i }, (err?: unknown) => (err ? reject(err) : resolve())))));

