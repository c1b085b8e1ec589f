import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import type { Logger } from '../plugin-api/logger.ts';
import { listenStream } from '../server/listen.ts';
import { ForwardConnection, type ConnectionSettings } from './connection.ts';

export interface ServerOptions {
  port: number;
  bind: string;
  backlog: number | undefined;
  tls: TlsOptions | undefined;
  sendKeepalivePacket: boolean;
  connection: ConnectionSettings;
  log: Logger;
}

const HEARTBEAT_REPLY = Buffer.from([0]);

/** in_forward's listeners: TCP (or TLS) for events, and UDP on the same port answering heartbeats with one 0 byte. */
export class ForwardServer {
  private server: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly connections = new Set<ForwardConnection>();

  constructor(private readonly o: ServerOptions) {}

  /** Listens; resolves with the port (the one the system chose for port 0). */
  async start(): Promise<number> {
    const { o } = this;
    const server = await listenStream({ ...o, name: 'forward' }, (socket) => this.accept(socket));
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    const udp = createSocket(isIPv6(o.bind) ? 'udp6' : 'udp4');
    udp.on('message', (_data, rinfo) => {
      udp.send(HEARTBEAT_REPLY, rinfo.port, rinfo.address, (err) => {
        if (err) o.log.trace({ host: rinfo.address, error: err.message }, 'error while heartbeat response');
      });
    });
    udp.on('error', (err) => o.log.warn({ error: err.message }, 'forward heartbeat socket error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, o.bind, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.udp?.close();
    this.udp = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    await Promise.all([...this.connections].map((c) => c.stop()));
    await closed;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    if (this.o.sendKeepalivePacket) socket.setKeepAlive(true);
    const connection = new ForwardConnection(socket, this.o.connection, () => this.connections.delete(connection));
    this.connections.add(connection);
    connection.start();
  }
}
