import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { EventBatch } from '../plugin-api/index.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { Emits } from './emits.ts';
import { peerOf, resolveHostname, type Peer } from './peer.ts';

export interface UdpServerOptions {
  name: string;
  port: number;
  bind: string;
  /** Bytes of a datagram that are read (Fluentd's max_bytes): the rest is cut off, with a warn line. */
  maxBytes: number;
  receiveBufferSize: number | undefined;
  resolveHostname: boolean;
  handle(message: Buffer, peer: Peer): Emits;
  emit(tag: string, batch: EventBatch): Promise<void>;
  log: Logger;
}

/**
 * A UDP listener, one message per datagram (in_udp, in_syslog). A datagram cannot be held back: when the buffers
 * refuse its events they are lost, so each refusal streak gets one warn line with the count lost so far.
 */
export class UdpServer {
  private socket: Socket | undefined;
  private dropped = 0;
  /** In a streak of datagrams longer than maxBytes: warned once. */
  private cutting = false;
  private readonly hostnames = new Map<string, Promise<string>>();

  constructor(private readonly o: UdpServerOptions) {}

  async start(): Promise<number> {
    const { o } = this;
    const socket = createSocket(isIPv6(o.bind) ? 'udp6' : 'udp4');
    socket.on('message', (data, rinfo) => void this.receive(data, peerOf(rinfo.address, rinfo.port)));
    socket.on('error', (err) => o.log.warn({ error: err.message }, `${o.name} socket error`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port, o.bind, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (o.receiveBufferSize !== undefined) {
      try {
        socket.setRecvBufferSize(o.receiveBufferSize);
      } catch (err) {
        socket.close();
        throw new Error(`receive_buffer_size ${o.receiveBufferSize}: ${(err as Error).message}`);
      }
    }
    this.socket = socket;
    return socket.address().port;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private async receive(data: Buffer, peer: Peer): Promise<void> {
    const { o } = this;
    if (data.length > o.maxBytes) {
      if (!this.cutting) o.log.warn({ host: peer.address, size: data.length, limit: o.maxBytes }, `${o.name}: a datagram of ${data.length} bytes from ${peer.address} is larger than message_length_limit (${o.maxBytes}); its end is cut off (further ones are cut silently until one fits)`);
      this.cutting = true;
      data = data.subarray(0, o.maxBytes);
    } else {
      this.cutting = false;
    }
    if (o.resolveHostname) peer.hostname = await this.hostnameOf(peer);
    for (const { tag, batch } of o.handle(data, peer).runs) {
      try {
        await o.emit(tag, batch);
        if (this.dropped > 0) {
          o.log.info({ dropped: this.dropped }, `${o.name}: the buffers take events again (${this.dropped} lost while they refused)`);
          this.dropped = 0;
        }
      } catch (err) {
        if (this.dropped === 0) o.log.warn({ tag, error: (err as Error).message }, `${o.name}: emit refused; UDP events are lost until the buffers take them again`);
        this.dropped += batch.length;
      }
    }
  }

  /** One lookup per sender address, kept: UDP has no connection to hang the name on. */
  private hostnameOf(peer: Peer): Promise<string> {
    let name = this.hostnames.get(peer.address);
    if (!name) {
      const p = { ...peer };
      name = resolveHostname(p).then(() => p.hostname);
      if (this.hostnames.size > 10_000) this.hostnames.clear();
      this.hostnames.set(peer.address, name);
    }
    return name;
  }
}
