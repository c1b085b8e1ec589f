import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { startEngine, waitUntil, type RunningEngine } from '../helpers/harness.ts';

/** A running engine with one network source on port 0, and the port it logged with `message`. */
export async function startListener(config: string, message: string): Promise<RunningEngine & { port: number }> {
  const running = await startEngine(config);
  let port = 0;
  await waitUntil(() => {
    const line = running.logs.find((l) => l.msg.startsWith(message));
    port = (line?.port as number | undefined) ?? 0;
    return port > 0;
  }, 5000, `${message} to be logged`);
  return Object.assign(running, { port });
}

/** Opens a TCP connection to 127.0.0.1:port. */
export function tcpConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes and closes; resolves when the server has closed its side too. */
export function tcpSend(port: number, ...chunks: Array<string | Buffer>): Promise<void> {
  return tcpConnect(port).then((s) => new Promise<void>((resolve) => {
    s.on('close', () => resolve());
    s.on('error', () => {});
    for (const c of chunks) s.write(c);
    s.end();
  }));
}

/** Sends each message as one datagram to 127.0.0.1:port. */
export async function udpSend(port: number, ...messages: Array<string | Buffer>): Promise<void> {
  const s = createSocket('udp4');
  for (const m of messages) await new Promise<void>((resolve, reject) => s.send(m, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  s.close();
}

/** A <match **> whose memory buffer refuses emits (throw_exception) once it holds 2 KB, until a flush. */
export function smallBufferMatch(dir: string): string {
  return `
<match **>
  @type file
  path ${dir}/out
  append true
  <format>
    @type single_value
  </format>
  <buffer>
    @type memory
    total_limit_size 2k
    chunk_limit_size 1m
    overflow_action throw_exception
    flush_mode interval
    flush_interval 1h
  </buffer>
</match>`;
}
