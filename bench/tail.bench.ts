/**
 * Tail microbenchmark: `logferry` as a child process tails one file of 200-byte lines from its head
 * (in_tail, read_from_head, pos_file) -> `none` parser -> out_null, until the pos file holds the file's size.
 * Reports lines/s and MB/s over wall time and per CPU second, and the resident memory at each quarter of the file
 * and at the end, so growth with the file's size shows (the target is flat RSS while tailing a 2 GB file).
 * Run: node --import tsx bench/tail.bench.ts [--quick] (quick: 200 MB instead of 2 GB)
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, machineInfo, peakRssBytes } from './measure-process.ts';
import { w1Lines } from './w1-generator.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
const LINE_BYTES = 200;
const TOTAL_BYTES = (values.quick ? 200 : 2048) * 1024 * 1024;
const LINES = Math.floor(TOTAL_BYTES / LINE_BYTES);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'logferry-tail-bench-'));

/** Real nginx lines cut or padded to 199 bytes plus the newline, written in 8 MB blocks. */
function writeInput(file: string): void {
  const pool = [...w1Lines({ lines: 4096, startSec: 1_700_000_000 })].map((l) => Buffer.from(l.slice(0, LINE_BYTES - 1).padEnd(LINE_BYTES - 1, ' ') + '\n'));
  const perBlock = 40_000;
  const fd = openSync(file, 'w');
  for (let written = 0; written < LINES; written += perBlock) {
    const n = Math.min(perBlock, LINES - written);
    const block = Buffer.allocUnsafe(n * LINE_BYTES);
    for (let i = 0; i < n; i++) pool[(written + i) % pool.length]!.copy(block, i * LINE_BYTES);
    writeSync(fd, block);
  }
  closeSync(fd);
}

/** The offset the pos file holds for `file` (Fluentd's `path\t%016x\t%016x` lines), or 0. */
function positionOf(posFile: string, file: string): number {
  if (!existsSync(posFile)) return 0;
  for (const line of readFileSync(posFile, 'utf8').split('\n')) {
    const [p, offset] = line.split('\t');
    if (p === file && offset) return parseInt(offset, 16);
  }
  return 0;
}

const input = path.join(work, 'access.log');
const posFile = path.join(work, 'access.pos');
writeInput(input);
const conf = path.join(work, 'tail.conf');
writeFileSync(conf, `
<source>
  @type tail
  path ${input}
  pos_file ${posFile}
  read_from_head true
  tag bench
  <parse>
    @type none
  </parse>
</source>
<match bench>
  @type null
</match>
`);

const started = process.hrtime.bigint();
const child = spawn(process.execPath, [path.join(repo, 'bin/logferry.mjs'), '-c', conf, '--suppress-config-dump', '-q'], { stdio: ['ignore', 'inherit', 'inherit'] });
const size = LINES * LINE_BYTES;
const rssAtQuarter: number[] = [];
let cpu = 0;
let peak = 0;
try {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`logferry exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
    cpu = cpuSeconds(child.pid!);
    peak = peakRssBytes(child.pid!);
    const offset = positionOf(posFile, input);
    while (rssAtQuarter.length < 4 && offset >= (size * (rssAtQuarter.length + 1)) / 4) {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      rssAtQuarter.push(Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024));
    }
    if (offset >= size) break;
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  rmSync(work, { recursive: true, force: true });
}
const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
const mb = size / 1e6;
const result = {
  name: 'tail-none-null',
  lines: LINES,
  mb: Math.round(mb),
  wallSec: +wallSec.toFixed(2),
  cpuSec: +cpu.toFixed(2),
  linesPerSec: Math.round(LINES / wallSec),
  linesPerCpuSec: Math.round(LINES / cpu),
  mbPerSec: +(mb / wallSec).toFixed(1),
  rssMBAtQuarters: rssAtQuarter,
  peakRssMB: Math.round(peak / 1048576),
  machine: machineInfo(),
};
console.log(`tail -> none -> null: ${LINES.toLocaleString('en-US')} lines of ${LINE_BYTES} B (${result.mb} MB) in ${result.wallSec} s wall, ${result.cpuSec} CPU s`);
console.log(`  ${result.linesPerSec.toLocaleString('en-US')} lines/s (${result.mbPerSec} MB/s) wall; ${result.linesPerCpuSec.toLocaleString('en-US')} lines per CPU second`);
console.log(`  RSS at 25/50/75/100 %: ${rssAtQuarter.join(' / ')} MB; peak ${result.peakRssMB} MB`);
console.log(JSON.stringify(result));
