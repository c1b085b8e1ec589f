/**
 * The forward row of `npm run bench` (`--only forward`): 1,000,000 events sent over loopback in PackedForward chunks
 * of 1,000 (entries as str32, as out_forward sends them) to a logferry process running in_forward -> out_null, with
 * every chunk acked (`chunk` option) and up to WINDOW chunks in flight on one connection. Reports events/s from the
 * first byte to the last ack, and the receiving process's CPU seconds per million events (its start-up excluded).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { Packr, Unpackr } from 'msgpackr';
import { packStandardEntry } from '../src/buffer/standard-format.ts';
import { cpuSeconds, peakRssBytes } from './measure-process.ts';

const CHUNK = 1000;
const WINDOW = 8;
const BODIES = 16;

export interface ForwardResult {
  name: string;
  events: number;
  wallSec: number;
  eventsPerSec: number;
  cpuSec: number;
  cpuSecPerMillion: number;
  peakRssMB: number;
  objects: number;
}

const packr = new Packr({ useRecords: false, variableMapSize: true });

/** A few distinct chunk bodies of nginx-like records, reused (with their own chunk ids) for every frame. */
function bodies(startSec: number): Buffer[] {
  const out: Buffer[] = [];
  for (let b = 0; b < BODIES; b++) {
    const entries: Buffer[] = [];
    for (let i = 0; i < CHUNK; i++) {
      const n = b * CHUNK + i;
      entries.push(packStandardEntry(startSec + (n >> 6), (n * 7919) % 1e9, {
        remote: `10.0.${n & 255}.${(n >> 8) & 255}`, host: '-', user: '-', method: 'GET', path: `/api/items/${n}?page=${n % 17}`,
        code: 200, size: 512 + (n % 4096), referer: '-', agent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0',
      }));
    }
    out.push(Buffer.concat(entries));
  }
  return out;
}

function frame(body: Buffer, chunkId: string): Buffer {
  const head = Buffer.alloc(5);
  head[0] = 0xdb;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([Buffer.from([0x93]), packr.pack('bench.forward'), head, body, packr.pack({ size: CHUNK, chunk: chunkId, compressed: 'text' })]);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

export async function runForward(repo: string, work: string, events: number, profileArgs: string[]): Promise<ForwardResult> {
  const dir = path.join(work, 'forward');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const confFile = path.join(dir, 'bench.conf');
  writeFileSync(confFile, `
<source>
  @type forward
  port ${port}
  bind 127.0.0.1
</source>
<match **>
  @type null
</match>
`);
  const child = spawn(process.execPath, [...profileArgs, path.join(repo, 'bin/logferry.mjs'), '-c', confFile, '--suppress-config-dump'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const deadline = Date.now() + 30_000;
    while (!log.includes('logferry started')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`forward: logferry did not start: ${log.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const chunkBodies = bodies(Math.floor(Date.now() / 1000));
    const chunks = Math.ceil(events / CHUNK);
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.setNoDelay(true);
    const cpuBefore = cpuSeconds(child.pid!);
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false });
      let pending: Buffer = Buffer.alloc(0);
      let sent = 0;
      let acked = 0;
      const send = () => {
        while (sent < chunks && sent - acked < WINDOW) {
          socket.write(frame(chunkBodies[sent % BODIES]!, `c${sent}`));
          sent++;
        }
      };
      socket.on('data', (d: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, d]) : d;
        let values: unknown[];
        try {
          values = unpackr.unpackMultiple(pending) as unknown[];
          pending = Buffer.alloc(0);
        } catch (err) {
          const e = err as { incomplete?: boolean; lastPosition?: number; values?: unknown[] };
          if (!e.incomplete) return reject(err as Error);
          values = e.values ?? [];
          pending = pending.subarray(e.lastPosition ?? 0);
        }
        for (const v of values) {
          if ((v as { ack?: string }).ack !== `c${acked}`) return reject(new Error(`forward: ack ${JSON.stringify(v)} for chunk c${acked}`));
          acked++;
        }
        if (acked === chunks) resolve();
        else send();
      });
      socket.on('error', reject);
      socket.on('close', () => acked < chunks && reject(new Error(`forward: connection closed after ${acked} acks`)));
      send();
    });
    const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuSec = cpuSeconds(child.pid!) - cpuBefore;
    const peakRssMB = Math.round(peakRssBytes(child.pid!) / 1e6);
    socket.destroy();
    const total = chunks * CHUNK;
    return {
      name: 'forward', events: total, wallSec, eventsPerSec: Math.round(total / wallSec), cpuSec,
      cpuSecPerMillion: +((cpuSec * 1e6) / total).toFixed(2), peakRssMB, objects: chunks,
    };
  } finally {
    child.kill('SIGTERM');
  }
}
