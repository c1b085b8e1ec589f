import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { pack, unpackr } from './codec.ts';
import { FrameReader } from './frame-reader.ts';
import { ClientHandshake, HandshakeError, type ClientSecurity } from './handshake.ts';
import type { ClientTls } from './tls.ts';

export interface LinkOptions {
  address: string;
  port: number;
  /** TLS SNI and certificate name (a host name, or <server> name when host is an address). */
  hostname: string | undefined;
  tls: ClientTls | undefined;
  connectTimeoutMs: number | undefined;
  sendTimeoutMs: number;
  /** The handshake may take this long (Fluentd bounds it by hard_timeout). */
  handshakeTimeoutMs: number;
  security: ClientSecurity | undefined;
  keepalivePacket: boolean;
}

/**
 * One out_forward connection: connect (TCP or TLS), the HELO/PING/PONG handshake when <security> is set, frames
 * out and msgpack replies (acks) in. Every wait is bounded, and a dead connection rejects whatever waits on it.
 */
export class Link {
  private readonly reader = new FrameReader();
  private readonly replies: unknown[] = [];
  private waiter: { resolve: (v: unknown) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  /** When the link was last used (keepalive_timeout). */
  lastUsed = Date.now();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.reader.push(data);
      try {
        for (let frame = this.reader.next(); frame; frame = this.reader.next()) this.replies.push(unpackr.unpack(frame));
      } catch (err) {
        this.fail(new Error(`invalid response from the server: ${(err as Error).message}`));
        return;
      }
      this.deliver();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  get alive(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  static async open(o: LinkOptions): Promise<Link> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      let s: Socket;
      const done = (err?: Error) => {
        clearTimeout(timer);
        if (err) {
          s.destroy();
          reject(err);
        } else {
          s.off('error', done);
          resolve(s);
        }
      };
      if (o.tls) {
        const t: TLSSocket = tlsConnect({ ...o.tls.options, host: o.address, port: o.port, servername: o.hostname }, () => {
          if (!t.authorized && !acceptable(t, o.tls!)) done(new Error(`certificate verification failed: ${String(t.authorizationError)}`));
          else done();
        });
        s = t;
      } else {
        s = tcpConnect({ host: o.address, port: o.port }, () => done());
      }
      s.once('error', done);
      const timer = o.connectTimeoutMs === undefined ? undefined
        : setTimeout(() => done(new Error(`connect timed out after ${o.connectTimeoutMs! / 1000} s`)), o.connectTimeoutMs);
    });
    socket.setNoDelay(true);
    if (o.keepalivePacket) socket.setKeepAlive(true);
    const link = new Link(socket);
    if (o.security) {
      try {
        const handshake = new ClientHandshake(o.security);
        await link.write(pack(handshake.ping(await link.reply(o.handshakeTimeoutMs))), o.sendTimeoutMs);
        handshake.checkPong(await link.reply(o.handshakeTimeoutMs));
      } catch (err) {
        link.destroy();
        throw err instanceof HandshakeError ? new HandshakeError(`connection refused: ${err.message}`) : err;
      }
    }
    return link;
  }

  /** Resolves once the bytes are handed to the kernel; fails after sendTimeoutMs (send_timeout). */
  write(data: Buffer, timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.lastUsed = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new Error(`send timed out after ${timeoutMs / 1000} s`);
        this.fail(err);
        reject(err);
      }, timeoutMs);
      this.socket.write(data, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** The next msgpack object the server sends. */
  reply(timeoutMs: number): Promise<unknown> {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no response within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiter = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Half-close after what was written (Fluentd's close_write + close). */
  close(): void {
    this.failure ??= new Error('connection closed');
    this.socket.end();
    this.socket.destroySoon();
  }

  destroy(): void {
    this.failure ??= new Error('connection closed');
    this.socket.destroy();
  }

  private deliver(): void {
    if (!this.waiter || this.replies.length === 0) return;
    const w = this.waiter;
    this.waiter = undefined;
    w.resolve(this.replies.shift());
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
    this.socket.destroy();
  }
}

/** tls_allow_self_signed_cert / tls_insecure_mode: what an unverified certificate may still be. */
function acceptable(socket: TLSSocket, tls: ClientTls): boolean {
  if (tls.insecure) return true;
  const code = (socket.authorizationError as unknown as { code?: string } | string | undefined);
  const text = typeof code === 'string' ? code : String(code ?? '');
  return tls.allowSelfSigned && /SELF_SIGNED/.test(text);
}
