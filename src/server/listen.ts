import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Logger } from '../plugin-api/logger.ts';
import { peerOf } from './peer.ts';

export interface ListenOptions {
  /** Names the input in log lines ("forward", "tcp", "syslog"). */
  name: string;
  port: number;
  bind: string;
  backlog?: number | undefined;
  tls: TlsOptions | undefined;
  log: Logger;
}

/** A listening TCP or TLS server; a failed TLS handshake gets one warn line naming the client. */
export async function listenStream(o: ListenOptions, onSocket: (socket: Socket) => void): Promise<Server> {
  const server = o.tls ? createTlsServer(o.tls, onSocket) : createTcpServer(onSocket);
  if (o.tls) {
    server.on('tlsClientError', (err: Error, socket: Socket) => {
      const peer = peerOf(socket.remoteAddress, socket.remotePort);
      o.log.warn({ host: peer.address, port: socket.remotePort, reason: err.message }, `${o.name} connection from ${peer.address}:${socket.remotePort ?? '?'} closed: TLS handshake failed: ${err.message}`);
    });
  }
  server.on('error', (err) => o.log.error({ error: err.message }, `${o.name} server error`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: o.port, host: o.bind, backlog: o.backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
