/**
 * Buffer microbenchmark: events/s through a real engine into out_null behind a memory or a file buffer, in batches
 * of 1000 parsed nginx events as in_tail emits them, with chunk keys `time` (timekey 3600) and `tag,time` (8 tags,
 * as from 8 tailed files). Event times span the last two hours, so some timekeys are due while the run goes on.
 * The timed span is every emit plus the final flush (enqueue, the file buffer's fsync, write, purge).
 *
 * The file buffer fsyncs a chunk's body once, when it is enqueued (before the .b -> .q rename); its .meta is
 * rewritten on every append and never fsynced. The "no fsync" cases measure what that policy costs by replacing
 * fs.fsyncSync for this process only, so production code carries no switch for it.
 * Run: node --import tsx bench/buffer.bench.ts [--quick]
 */
import fs, { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BufferedOutputHandle } from '../src/buffer/buffered-output.ts';
import { Engine } from '../src/engine/engine.ts';
import { buildParser, sectionFromParams } from '../src/engine/standalone.ts';
import { EventBatch, type EventRecord } from '../src/event/event-batch.ts';
import { createLogger } from '../src/log/logger.ts';
import { machineInfo } from './measure-process.ts';
import { w1Lines } from './w1-generator.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
const EVENTS = values.quick ? 200_000 : 2_000_000;
const RUNS = values.quick ? 1 : 3;
const BATCH = 1000;
const TAGS = 8;
const POOL = 50_000;
const log = createLogger({ level: 'warn', format: 'text' });

/** fs.fsyncSync, counted and timed, or skipped: the switch the "no fsync" cases flip. */
const fsync = { skip: false, calls: 0, ns: 0n };
const realFsync = fs.fsyncSync;
fs.fsyncSync = (fd) => {
  fsync.calls++;
  if (fsync.skip) return;
  const t0 = process.hrtime.bigint();
  realFsync(fd);
  fsync.ns += process.hrtime.bigint() - t0;
};
syncBuiltinESMExports();

async function nginxRecords(): Promise<EventRecord[]> {
  const parser = await buildParser(sectionFromParams('parse', 'nginx', {}), { log });
  const out = new EventBatch();
  for (const line of w1Lines({ lines: POOL, startSec: 0 })) parser.parse(line, out);
  return out.records;
}

/** In_tail-sized batches over the pool's records, times rising over the last two hours. */
function batches(records: EventRecord[]): EventBatch[] {
  const start = Math.floor(Date.now() / 1000) - 7200;
  const out: EventBatch[] = [];
  for (let i = 0; i < EVENTS; i += BATCH) {
    const batch = new EventBatch();
    for (let j = i; j < i + BATCH; j++) batch.add(start + Math.floor((j * 7200) / EVENTS), (j * 7919) % 1e9, records[j % records.length]!);
    out.push(batch);
  }
  return out;
}

interface Case {
  buffer: 'memory' | 'file';
  chunkKeys: 'time' | 'tag,time';
  fsync: boolean;
}

interface Result {
  eventsPerSec: number;
  cpuSec: number;
  chunks: number;
  fsyncCalls: number;
  fsyncMs: number;
}

async function run(c: Case, input: EventBatch[]): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), 'logferry-buffer-bench-'));
  const engine = await Engine.fromConfigString(`
<match nginx.**>
  @type null
  <buffer ${c.chunkKeys}>
    @type ${c.buffer}
    ${c.buffer === 'file' ? `path ${dir}/buffer` : ''}
    timekey 3600
  </buffer>
</match>
`, path.join(dir, 'bench.conf'), { log });
  const handle = engine.labels.get('@ROOT')!.pipeline('nginx.access').match!.output as BufferedOutputHandle;
  await engine.start();
  Object.assign(fsync, { skip: !c.fsync, calls: 0, ns: 0n });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < input.length; b++) {
    await engine.emit(undefined, c.chunkKeys === 'time' ? 'nginx.access' : `nginx.access.web${b % TAGS}`, input[b]!);
  }
  await engine.flushAll();
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const m = handle.metrics();
  const events = input.length * BATCH;
  if (m.emitRecords !== events || m.stageBytes + m.queueBytes !== 0) {
    throw new Error(`${c.buffer} ${c.chunkKeys}: ${m.emitRecords} of ${events} events accepted, ${m.stageBytes + m.queueBytes} bytes left in the buffer`);
  }
  await engine.shutdown();
  if (c.buffer === 'file' && readdirSync(path.join(dir, 'buffer')).length > 0) throw new Error('chunk files left after the flush');
  rmSync(dir, { recursive: true, force: true });
  return { eventsPerSec: events / sec, cpuSec: (cpu.user + cpu.system) / 1e6, chunks: m.writtenChunks, fsyncCalls: fsync.calls, fsyncMs: Number(fsync.ns) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const machine = machineInfo();
console.log(`buffer bench: ${EVENTS} nginx events in batches of ${BATCH} into out_null, median of ${RUNS}, ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}, tmpdir ${tmpdir()}`);
const input = batches(await nginxRecords());
const cases: Case[] = [
  { buffer: 'memory', chunkKeys: 'time', fsync: true },
  { buffer: 'memory', chunkKeys: 'tag,time', fsync: true },
  { buffer: 'file', chunkKeys: 'time', fsync: true },
  { buffer: 'file', chunkKeys: 'tag,time', fsync: true },
  { buffer: 'file', chunkKeys: 'time', fsync: false },
  { buffer: 'file', chunkKeys: 'tag,time', fsync: false },
];
await run(cases[0]!, input.slice(0, 100)); // warm-up: JIT, plugin loading
for (const c of cases) {
  const results: Result[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await run(c, input));
  const r = results.find((x) => x.eventsPerSec === median(results.map((y) => y.eventsPerSec)))!;
  const label = `${c.buffer} <buffer ${c.chunkKeys}>${c.buffer === 'file' ? (c.fsync ? ' fsync' : ' no fsync') : ''}`;
  const target = c.buffer === 'memory' ? 1_000_000 : 500_000;
  console.log(`${label.padEnd(32)} ${Math.round(r.eventsPerSec).toLocaleString('en-US').padStart(12)} events/s  (target ${target.toLocaleString('en-US')}; ` +
    `${r.cpuSec.toFixed(2)} CPU s, ${r.chunks} chunks${c.buffer === 'file' && c.fsync ? `, ${r.fsyncCalls} fsyncs ${r.fsyncMs.toFixed(0)} ms` : ''})`);
  console.log(JSON.stringify({
    bench: 'buffer', buffer: c.buffer, chunkKeys: c.chunkKeys, fsync: c.buffer === 'file' ? c.fsync : null, events: EVENTS,
    eventsPerSec: Math.round(r.eventsPerSec), runs: results.map((x) => Math.round(x.eventsPerSec)), target, cpuSec: +r.cpuSec.toFixed(2),
    chunks: r.chunks, fsyncCalls: r.fsyncCalls, fsyncMs: +r.fsyncMs.toFixed(1), nproc: machine.nproc, cpu: machine.cpu, node: machine.node,
  }));
}
