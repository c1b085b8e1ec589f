/** The real logferry process (node running bin/logferry.mjs, no wrapper), as the durability tests start and kill it. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, REPO_ROOT } from './harness.ts';

export interface LogferryProcess {
  proc: ChildProcess;
  /** Its warn, error and fatal lines, and config errors. */
  log: string[];
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** True once it logged "logferry started"; false if it exited first. */
  started: Promise<boolean>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every logferry this module started that is still running (for an after() hook). */
export function killAllLogferry(): void {
  for (const child of children) child.kill('SIGKILL');
}

export function startLogferry(conf: string, env: Record<string, string> = {}, args: string[] = []): LogferryProcess {
  const proc = spawn(process.execPath, [BIN, '-c', conf, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(proc);
  const log: string[] = [];
  let output = '';
  let markStarted: (v: boolean) => void = () => {};
  const started = new Promise<boolean>((resolve) => (markStarted = resolve));
  const onData = (d: Buffer) => {
    output += d.toString('utf8');
    for (const line of d.toString('utf8').split('\n')) {
      if (/\[(warn|error|fatal)\]/.test(line) || /config error/.test(line)) log.push(line);
      if (line.includes('logferry started')) markStarted(true);
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      markStarted(false);
      resolve({ code, signal });
    });
  });
  return { proc, log, output: () => output, started, exited };
}

/** The process's peak resident memory so far (VmHWM), in bytes; 0 once it is gone. */
export const peakRss = (child: LogferryProcess) => statusKb(child, 'VmHWM') * 1024;

/** The process's resident memory now (VmRSS), in bytes; 0 once it is gone. */
export const currentRss = (child: LogferryProcess) => statusKb(child, 'VmRSS') * 1024;

function statusKb(child: LogferryProcess, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.proc.pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export async function kill9(child: LogferryProcess): Promise<void> {
  const alive = child.proc.exitCode === null && child.proc.signalCode === null;
  assert.ok(alive, `logferry exited by itself (${child.proc.exitCode ?? child.proc.signalCode}) before the kill; its warnings: ${child.log.join('\n')}`);
  child.proc.kill('SIGKILL');
  const { signal } = await child.exited;
  assert.equal(signal, 'SIGKILL');
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))])
    .finally(() => clearTimeout(timer));
}
