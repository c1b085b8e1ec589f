/**
 * `npm run bench`: the reference pipeline end to end (tail -> nginx parser -> JSON lines -> gzip -> S3 on s3rver) and
 * its variants, measured against the gzip floor in the same run, plus the per-stage microbenchmarks.
 * The forward row (bench/forward-pipeline.ts) sends 1M events to in_forward -> out_null.
 * `--quick`: 100k lines, no 10x run. `--only NAME`: one pipeline (`--only forward` skips W1 and s3rver). `--profile DIR`: CPU profiles of logferry.
 * Prints a table and one JSON line per result.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { runForward } from './forward-pipeline.ts';
import { writeW1 } from './w1-generator.ts';
import { cpuSeconds, machineInfo, peakRssBytes } from './measure-process.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, keep: { type: 'boolean' }, profile: { type: 'string' } } });
const LINES = values.quick ? 100_000 : 1_000_000;
/** `--profile DIR`: each logferry run writes a V8 CPU profile there (NODE_OPTIONS may not carry --cpu-prof). */
const profileArgs = values.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values.profile)] : [];
const work = mkdtempSync(path.join(tmpdir(), 'logferry-bench-'));
const results: Array<Record<string, unknown>> = [];
/** A pipeline that delivers nothing new for this long has lost data or hung. */
const STALL_MS = 120_000;

interface PipelineResult {
  name: string;
  events: number;
  wallSec: number;
  eventsPerSec: number;
  cpuSec: number;
  peakRssMB: number;
  objects: number;
  jsonBytes: number;
}

function configFor(opts: { input: string; dir: string; port: number; buffer: 'file' | 'memory'; raw: boolean; prefix: string }): string {
  return `
<source>
  @type tail
  path ${opts.input}
  pos_file ${opts.dir}/w1.pos
  read_from_head true
  tag w1
  <parse>
    @type ${opts.raw ? 'none' : 'nginx'}
  </parse>
</source>
<match w1>
  @type s3
  s3_bucket bench
  s3_region us-east-1
  s3_endpoint http://127.0.0.1:${opts.port}
  force_path_style true
  aws_key_id S3RVER
  aws_sec_key S3RVER
  path ${opts.prefix}/
  store_as gzip
  <format>
    @type ${opts.raw ? 'single_value' : 'json'}
  </format>
  <buffer time>
    @type ${opts.buffer}
    ${opts.buffer === 'file' ? `path ${opts.dir}/buffer` : ''}
    timekey 3600
    flush_mode interval
    flush_interval 1s
  </buffer>
</match>
`;
}

async function startS3rver(): Promise<{ port: number; stop: () => void }> {
  const dir = path.join(work, 's3');
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'bench/s3rver-process.ts'), dir, 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { port: (JSON.parse(line) as { port: number }).port, stop: () => child.kill('SIGTERM') };
}

async function runPipeline(name: string, opts: { input: string; lines: number; port: number; buffer: 'file' | 'memory'; raw: boolean }): Promise<PipelineResult> {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  const confFile = path.join(dir, 'bench.conf');
  writeFileSync(confFile, configFor({ ...opts, dir, prefix: name }));
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${opts.port}`, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...profileArgs, path.join(repo, 'bin/logferry.mjs'), '-c', confFile, '--suppress-config-dump', '-q'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const seen = new Set<string>();
  let records = 0;
  let jsonBytes = 0;
  let cpu = 0;
  let rss = 0;
  let spotChecked = false;
  let progressAt = Date.now();
  try {
    while (records < opts.lines) {
      if (child.exitCode !== null) throw new Error(`${name}: logferry exited with ${child.exitCode} after ${records} records`);
      if (Date.now() - progressAt > STALL_MS) throw new Error(`${name}: no new records for ${STALL_MS / 1000} s at ${records} of ${opts.lines}`);
      await new Promise((r) => setTimeout(r, 200));
      cpu = cpuSeconds(child.pid!);
      rss = peakRssBytes(child.pid!);
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: 'bench', Prefix: `${name}/`, ContinuationToken: token }));
        for (const obj of page.Contents ?? []) {
          if (seen.has(obj.Key!)) continue;
          const got = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: obj.Key! }));
          let body: Buffer;
          try {
            body = gunzipSync(Buffer.from(await got.Body!.transformToByteArray()));
          } catch (err) {
            // s3rver lists an object while its body is still being written; read it again on the next poll (a body
            // that never completes shows up as a stall).
            if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') continue;
            throw err;
          }
          seen.add(obj.Key!);
          progressAt = Date.now();
          jsonBytes += body.length;
          let n = 0;
          for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) n++;
          records += n;
          if (!spotChecked && !opts.raw) {
            const first = JSON.parse(body.subarray(0, body.indexOf(10)).toString()) as Record<string, unknown>;
            for (const key of ['remote', 'method', 'path', 'code', 'size', 'agent']) {
              if (!(key in first)) throw new Error(`${name}: spot check failed, no ${key} in ${JSON.stringify(first)}`);
            }
            spotChecked = true;
          }
        }
        token = page.NextContinuationToken;
      } while (token);
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
  cpu = cpuSeconds(child.pid!);
  rss = peakRssBytes(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('close', r));
  if (records !== opts.lines) throw new Error(`${name}: expected ${opts.lines} records, the bucket holds ${records}`);
  return { name, events: records, wallSec, eventsPerSec: Math.round(records / wallSec), cpuSec: cpu, peakRssMB: Math.round(rss / 1048576), objects: seen.size, jsonBytes };
}

/** The floor: gzip -6 alone over the same JSON lines logferry produced. */
function gzipFloor(input: string, lines: number): { wallSec: number; cpuSec: number } {
  const jsonFile = path.join(work, 'floor.jsonl');
  const parsed = spawnSync(process.execPath, [path.join(repo, 'bin/logferry.mjs'), 'parse', '--type', 'nginx'], {
    stdio: [openSync(input, 'r'), 'pipe', 'inherit'], maxBuffer: 1 << 30,
  });
  const records = parsed.stdout.toString().split('\n').filter(Boolean).map((l) => JSON.stringify((JSON.parse(l) as { record: unknown }).record));
  if (records.length !== lines) throw new Error(`gzip floor: parse gave ${records.length} of ${lines}`);
  writeFileSync(jsonFile, `${records.join('\n')}\n`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time (gzip -6 -c ${jsonFile} > /dev/null)`], { encoding: 'utf8' });
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const [user, sys] = r.stderr.trim().split(/\s+/).map(Number);
  return { wallSec, cpuSec: (user ?? 0) + (sys ?? 0) };
}

function micro(): void {
  for (const file of readdirSync(path.join(repo, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort()) {
    console.log(`\n## ${file}${values.quick ? ' --quick' : ''}`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'bench', file), ...(values.quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stdout.write(r.stdout);
    for (const line of r.stdout.split('\n')) if (line.startsWith('{')) results.push({ bench: file, ...(JSON.parse(line) as object) });
  }
}

// bin/logferry.mjs runs the compiled build only when it is newer than every source (else tsx, ~35 MB more RSS and a
// slower start): build first, so the figures are always the build's.
if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
const machine = machineInfo();
console.log(`# logferry bench — ${new Date().toISOString().slice(0, 10)}, ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}`);
const only = values.only;
const table: Array<Omit<PipelineResult, 'jsonBytes'> & { cpuSecPerMillion?: number }> = [];
if (!only || only === 'forward') {
  const r = await runForward(repo, work, LINES, profileArgs);
  table.push(r);
  results.push({ bench: 'pipeline', ...r, machine });
  console.log(`forward: ${r.eventsPerSec} events/s, receiver ${r.cpuSecPerMillion} CPU s per million events`);
}
const input = path.join(work, 'w1.log');
const startSec = Math.floor(Date.now() / 1000) - 4 * 3600;
const bytes = only === 'forward' ? 0 : await writeW1(input, { lines: LINES, startSec });
if (only !== 'forward') console.log(`W1: ${LINES} nginx lines, ${(bytes / 1e6).toFixed(0)} MB`);
const s3 = only === 'forward' ? { port: 0, stop: () => {} } : await startS3rver();
try {
  const run = async (name: string, o: { buffer: 'file' | 'memory'; raw: boolean; file?: string; lines?: number }) => {
    if (only && only !== name) return;
    const r = await runPipeline(name, { input: o.file ?? input, lines: o.lines ?? LINES, port: s3.port, buffer: o.buffer, raw: o.raw });
    table.push(r);
    results.push({ bench: 'pipeline', ...r, machine });
  };
  await run('w1-file-buffer', { buffer: 'file', raw: false });
  await run('w1-memory-buffer', { buffer: 'memory', raw: false });
  await run('w1-raw-lines', { buffer: 'file', raw: true });
  if (!values.quick && (!only || only === 'w1-10x')) {
    const big = path.join(work, 'w1x10.log');
    await writeW1(big, { lines: LINES * 10, startSec, seed: 2 });
    await run('w1-10x', { buffer: 'file', raw: false, file: big, lines: LINES * 10 });
    rmSync(big, { force: true });
  }
  if (!only) {
    const floor = gzipFloor(input, LINES);
    const main = table.find((t) => t.name === 'w1-file-buffer');
    results.push({ bench: 'gzip-floor', ...floor, ratio: main ? +(main.wallSec / floor.wallSec).toFixed(2) : null });
    console.log(`\ngzip -6 floor over the same JSON: ${floor.wallSec.toFixed(2)} s wall, ${floor.cpuSec.toFixed(2)} CPU s` +
      (main ? `; logferry wall / floor = ${(main.wallSec / floor.wallSec).toFixed(2)}` : ''));
  }
} finally {
  s3.stop();
}
console.log('\n| pipeline | events | wall s | events/s | CPU s | peak RSS MB | objects |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of table) console.log(`| ${r.name} | ${r.events} | ${r.wallSec.toFixed(2)} | ${r.eventsPerSec} | ${r.cpuSec.toFixed(1)} | ${r.peakRssMB} | ${r.objects} |`);
if (!values.only) micro();
console.log('');
for (const r of results) console.log(JSON.stringify(r));
if (!values.keep && existsSync(work)) rmSync(work, { recursive: true, force: true });
