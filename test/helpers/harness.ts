import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Engine } from '../../src/engine/engine.ts';
import type { Logger } from '../../src/plugin-api/logger.ts';
import { captured, type CapturedEvent } from './plugins/out_capture.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_PLUGIN_DIR = path.join(REPO_ROOT, 'test/helpers/plugins');
/** The reference's sample logs, bundled with the demo (conf/demo), so tests need nothing outside the repository. */
export const SAMPLES_DIR = path.join(REPO_ROOT, 'conf/demo');
export const BIN = path.join(REPO_ROOT, 'bin/logferry.mjs');

export interface LogEntry {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger whose lines tests can read. */
export function memoryLogger(level = 'debug'): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) entries.push(JSON.parse(line) as LogEntry);
      done();
    },
  });
  const log = pino({ level, base: undefined, formatters: { level: (label) => ({ level: label }) } }, sink);
  return { log: log as unknown as Logger, entries };
}

export interface RunningEngine {
  engine: Engine;
  logs: LogEntry[];
  /** Events received so far by the capture output with this @id. */
  events(id: string): CapturedEvent[];
  /** Waits until the capture output `id` holds at least `count` events. */
  waitForEvents(id: string, count: number, timeoutMs?: number): Promise<CapturedEvent[]>;
  stop(): Promise<void>;
}

/** Builds and starts a real engine on a config string; `@type capture` outputs are available. */
export async function startEngine(config: string, options: { file?: string; pluginDirs?: string[] } = {}): Promise<RunningEngine> {
  const { log, entries } = memoryLogger();
  const engine = await Engine.fromConfigString(config, options.file ?? path.join(REPO_ROOT, 'test.conf'), {
    log,
    pluginDirs: [TEST_PLUGIN_DIR, ...(options.pluginDirs ?? [])],
  });
  await engine.start();
  const events = (id: string) => captured.get(id) ?? [];
  return {
    engine,
    logs: entries,
    events,
    waitForEvents: (id, count, timeoutMs = 5000) =>
      waitUntil(() => events(id).length >= count, timeoutMs, `capture ${id} to hold ${count} events (has ${events(id).length})`).then(() => events(id)),
    stop: () => engine.shutdown(),
  };
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A port on 127.0.0.1 that was free a moment ago (nothing listens there now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const randomMs = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** Sorted line numbers as at most 8 ranges ("3, 7-9 (4 lines)"); '' for none. */
export function lineRanges(xs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length && parts.length < 8; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(', ') + (xs.length > 0 ? ` (${xs.length} lines)` : '');
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'logferry-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `logferry ARGS` as a child process, optionally feeding stdin, and collects its output. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
