import type { AddressInfo, Server, Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { EventBatch } from '../plugin-api/index.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { Emits } from './emits.ts';
import { listenStream } from './listen.ts';
import { peerOf, resolveHostname, type Peer } from './peer.ts';
import { retryEmit } from './retry-emit.ts';
import type { Splitter } from './splitters.ts';

export interface StreamServerOptions {
  /** Names the input in log lines ("tcp", "syslog"). */
  name: string;
  port: number;
  bind: string;
  tls: TlsOptions | undefined;
  sendKeepalivePacket: boolean;
  resolveHostname: boolean;
  /** 0: a failed connection is reset (no TIME_WAIT at the client); N: closed with FIN, destroyed N s later. */
  lingerTimeout: number;
  /** Refuses a client (after its warn line) when it returns false. */
  accept?(peer: Peer): boolean;
  splitter(): Splitter;
  /** Turns one read's messages into events. */
  handle(messages: Buffer[], peer: Peer): Emits;
  emit(tag: string, batch: EventBatch): Promise<void>;
  log: Logger;
}

/** A TCP or TLS listener whose connections carry framed text messages (in_tcp, in_syslog). */
export class StreamServer {
  private server: Server | undefined;
  private readonly connections = new Set<MessageConnection>();

  constructor(private readonly o: StreamServerOptions) {}

  /** Listens; resolves with the port (the one the system chose for port 0). */
  async start(): Promise<number> {
    const server = await listenStream(this.o, (socket) => this.accept(socket));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await Promise.all([...this.connections].map((c) => c.stop()));
    await closed;
  }

  private accept(socket: Socket): void {
    const peer = peerOf(socket.remoteAddress, socket.remotePort);
    if (this.o.accept && !this.o.accept(peer)) {
      socket.destroy();
      return;
    }
    if (this.o.sendKeepalivePacket) socket.setKeepAlive(true);
    const connection = new MessageConnection(socket, peer, this.o, () => this.connections.delete(connection));
    this.connections.add(connection);
  }
}

/**
 * One client connection: reads are framed, turned into events and emitted in order; the socket stays paused while
 * an emit is pending or refused. A stream that cannot be framed closes this connection alone, with one warn line.
 */
class MessageConnection {
  private readonly splitter: Splitter;
  private readonly queue: Buffer[] = [];
  private closed = false;
  private busy = false;
  private lookup: Promise<void> | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly socket: Socket, private readonly peer: Peer, private readonly o: StreamServerOptions, onClose: () => void) {
    this.splitter = o.splitter();
    if (o.resolveHostname) this.lookup = resolveHostname(peer);
    socket.on('data', (data: Buffer) => {
      if (this.closed) return;
      this.queue.push(data);
      if (!this.busy) this.idle = this.pump();
    });
    socket.on('error', (err) => o.log.debug({ host: peer.address, port: peer.port, error: err.message }, `${o.name} connection error`));
    socket.on('close', () => {
      this.closed = true;
      onClose();
    });
  }

  /** Shutdown: stop reading now; an emit in flight finishes. */
  async stop(): Promise<void> {
    this.closed = true;
    this.socket.destroy();
    await this.idle;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        let messages: Buffer[];
        try {
          messages = this.splitter.push(this.queue.shift()!);
        } catch (err) {
          this.fail((err as Error).message);
          return;
        }
        if (messages.length === 0) continue;
        this.socket.pause();
        if (this.lookup) await this.lookup;
        for (const { tag, batch } of this.o.handle(messages, this.peer).runs) {
          const ok = await retryEmit(() => this.o.emit(tag, batch), () => this.closed, (err, retryMs) => {
            // The engine warns "emit transaction failed"; this connection waits for the buffers.
            this.o.log.debug({ host: this.peer.address, tag, error: err.message, retry_ms: retryMs }, 'emit refused; this connection pauses and retries');
          });
          if (!ok) return;
        }
      }
    } finally {
      this.busy = false;
      if (!this.closed && this.socket.isPaused()) this.socket.resume();
    }
  }

  private fail(reason: string): void {
    if (this.closed) return;
    const { peer } = this;
    this.o.log.warn({ host: peer.address, port: peer.port, reason }, `${this.o.name} connection from ${peer.address}:${peer.port} closed: ${reason}`);
    this.closed = true;
    if (this.o.lingerTimeout === 0) {
      this.socket.resetAndDestroy();
      return;
    }
    this.socket.end();
    setTimeout(() => this.socket.destroy(), this.o.lingerTimeout * 1000).unref();
  }
}
