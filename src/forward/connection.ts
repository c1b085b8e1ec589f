import { reverse } from 'node:dns/promises';
import type { Socket } from 'node:net';
import type { EventBatch } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import { retryEmit } from '../server/retry-emit.ts';
import { pack } from './codec.ts';
import { describe, frameToEvents, type EventOptions, type Peer } from './events.ts';
import { FrameReader } from './frame-reader.ts';
import { checkPing, helo, newServerSession, type ServerSecurity, type ServerSession } from './handshake.ts';
import { BrokenFrameError, decodeFrame } from './message.ts';

export interface ConnectionSettings {
  events: EventOptions;
  security: ServerSecurity | undefined;
  denyKeepalive: boolean;
  chunkSizeLimit: number | undefined;
  chunkSizeWarnLimit: number | undefined;
  /** The most bytes of one frame held in memory when chunk_size_limit is unset. */
  frameBytesLimit: number;
  /** A frame left incomplete with no byte arriving for this long closes the connection. */
  stallTimeoutMs: number;
  lingerTimeout: number;
  resolveHostname: boolean;
  emit(tag: string, batch: EventBatch): Promise<void>;
  log: Logger;
}

/**
 * One client connection of in_forward: the handshake when <security> asks for it, then frames in order. Each
 * frame's events are emitted and its ack is written only once the emit resolved; while an emit is pending or
 * refused the socket is paused, so a full buffer stops the client (TCP backpressure) instead of growing memory.
 * Anything wrong with the bytes closes this connection alone, with one warn line naming the peer and the reason.
 */
export class ForwardConnection {
  private readonly reader = new FrameReader();
  private readonly session: ServerSession | undefined;
  private state: 'pingpong' | 'established';
  private busy = false;
  private closed = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private peer: Peer;
  private hostnameLookup: Promise<void> | undefined;
  /** Resolves when the frame being handled is done (shutdown waits for an emit in flight). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly s: ConnectionSettings,
    private readonly onClose: () => void,
  ) {
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    this.peer = { address, hostname: address };
    this.state = s.security ? 'pingpong' : 'established';
    this.session = s.security ? newServerSession() : undefined;
  }

  private get who(): string {
    return `${this.peer.address}:${this.socket.remotePort ?? '?'}`;
  }

  start(): void {
    const { socket } = this;
    if (this.s.resolveHostname) {
      this.hostnameLookup = reverse(this.peer.address)
        .then((names) => {
          if (names[0]) this.peer.hostname = names[0];
        })
        .catch(() => {});
    }
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.s.log.debug({ host: this.peer.address, port: socket.remotePort, error: err.message }, 'forward connection error'));
    socket.on('close', () => {
      this.closed = true;
      clearTimeout(this.stallTimer);
      this.onClose();
    });
    if (this.session) socket.write(pack(helo(this.session, !this.s.denyKeepalive)));
  }

  /** Shutdown: stop reading now; the frame being emitted finishes (its ack is not sent). */
  async stop(): Promise<void> {
    this.closed = true;
    this.socket.destroy();
    await this.idle;
  }

  private onData(data: Buffer): void {
    if (this.closed) return;
    if (this.reader.pending === 0 && (data[0] === 0x7b || data[0] === 0x5b)) {
      this.fail('the JSON form of the forward protocol is not supported by logferry (send msgpack)');
      return;
    }
    this.reader.push(data);
    if (!this.busy) this.idle = this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    clearTimeout(this.stallTimer);
    try {
      for (;;) {
        if (this.closed) return;
        let frame: Buffer | null;
        try {
          frame = this.reader.next();
        } catch (err) {
          this.fail((err as Error).message);
          return;
        }
        if (frame === null) {
          const limit = this.s.chunkSizeLimit ?? this.s.frameBytesLimit;
          if (this.reader.pending > limit) {
            const what = this.s.chunkSizeLimit === undefined ? 'the frame limit' : "'chunk_size_limit'";
            this.fail(`an incoming chunk is larger than ${what} (${this.reader.pending} > ${limit} bytes), dropped`);
            return;
          }
          break;
        }
        if (!(await this.handle(frame))) return;
      }
      this.watchStall();
    } finally {
      this.busy = false;
      if (!this.closed && this.socket.isPaused()) this.socket.resume();
    }
  }

  /** False when the connection is done (closed, or closing after a reply). */
  private async handle(frame: Buffer): Promise<boolean> {
    if (frame.length === 1 && frame[0] === 0xc0) return true; // nil: Fluentd's reserved TCP heartbeat
    if (this.state === 'pingpong') return this.handlePing(frame);
    const size = frame.length;
    if (this.s.chunkSizeLimit !== undefined && size > this.s.chunkSizeLimit) {
      this.fail(`Input chunk size is larger than 'chunk_size_limit' (${size} > ${this.s.chunkSizeLimit} bytes), dropped`);
      return false;
    }
    let events;
    try {
      events = frameToEvents(decodeFrame(frame), this.s.events, this.peer);
    } catch (err) {
      if (!(err instanceof BrokenFrameError)) throw err;
      this.fail(err.message);
      return false;
    }
    if (this.s.chunkSizeWarnLimit !== undefined && size > this.s.chunkSizeWarnLimit) {
      this.s.log.warn({ tag: events.tag, host: this.peer.address, limit: this.s.chunkSizeWarnLimit, size }, "Input chunk size is larger than 'chunk_size_warn_limit':");
    }
    if (events.invalid > 0) {
      const [time, record] = events.firstInvalid!;
      this.s.log.warn({ host: this.peer.address, tag: events.tag, count: events.invalid, time: describe(time), record: describe(record) }, 'skip invalid event:');
    }
    if (events.batch.length > 0) {
      if (this.hostnameLookup) await this.hostnameLookup;
      if (!(await this.emit(events.tag, events.batch))) return false;
    }
    const chunk = events.option?.chunk;
    if (chunk !== undefined && chunk !== null) this.socket.write(pack({ ack: chunk }));
    if (this.s.denyKeepalive) {
      this.finish();
      return false;
    }
    return true;
  }

  private handlePing(frame: Buffer): boolean {
    let message: unknown;
    try {
      message = decodeFrame(frame, false).elements;
    } catch (err) {
      this.fail(`invalid ping message: ${(err as Error).message}`);
      return false;
    }
    const result = checkPing(this.s.security!, this.session!, message, this.peer.address);
    this.socket.write(pack(result.pong));
    if (!result.ok) {
      this.s.log.warn({ host: this.peer.address, port: this.socket.remotePort, reason: result.reason }, `forward connection from ${this.who} refused: ${result.reason}`);
      this.finish();
      return false;
    }
    this.s.log.debug({ address: this.peer.address, port: this.socket.remotePort }, 'connection established');
    this.state = 'established';
    return true;
  }

  /** Emits with the socket paused, retrying while the buffers refuse; false if the connection closed meanwhile. */
  private emit(tag: string, batch: EventBatch): Promise<boolean> {
    this.socket.pause();
    return retryEmit(() => this.s.emit(tag, batch), () => this.closed, (err, retryMs) => {
      // The engine warns "emit transaction failed"; the client gets no ack until the buffers take the events.
      this.s.log.debug({ host: this.peer.address, tag, error: err.message, retry_ms: retryMs }, 'emit refused; this connection pauses and retries');
    });
  }

  /** An incomplete frame with no new byte for stallTimeoutMs: the client stalled mid-frame. */
  private watchStall(): void {
    clearTimeout(this.stallTimer);
    if (this.reader.pending === 0) return;
    this.stallTimer = setTimeout(() => this.fail(`stalled mid-frame: ${this.reader.pending} bytes of an incomplete chunk and nothing more for ${this.s.stallTimeoutMs / 1000} s`), this.s.stallTimeoutMs);
    this.stallTimer.unref();
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.s.log.warn({ host: this.peer.address, port: this.socket.remotePort, reason }, `forward connection from ${this.who} closed: ${reason}`);
    this.closed = true;
    clearTimeout(this.stallTimer);
    // linger_timeout 0 (Fluentd's default): RST, so no TIME_WAIT is left at the client.
    if (this.s.lingerTimeout === 0) this.socket.resetAndDestroy();
    else this.finish();
  }

  /** Closes after what was written is delivered (a PONG refusal, deny_keepalive's ack). */
  private finish(): void {
    this.closed = true;
    clearTimeout(this.stallTimer);
    this.socket.end();
    const linger = setTimeout(() => this.socket.destroy(), Math.max(this.s.lingerTimeout, 1) * 1000);
    linger.unref();
    this.socket.once('close', () => clearTimeout(linger));
  }
}
