import { spawn } from 'node:child_process';
import type { Logger } from '../plugin-api/logger.ts';

export interface ChildOptions {
  /** Run through `/bin/sh -c`, as Fluentd's spawn does for a command with shell syntax. */
  command: string;
  /** connect_mode read_with_stderr: stderr goes into the same stream as stdout. */
  mergeStderr: boolean;
  /** Kill the child's process group after this long (undefined: never). */
  timeoutMs: number | undefined;
  log: Logger;
  /** Each stdout chunk; a returned promise pauses reading until it settles (backpressure for streaming emits). A
   * rejection is logged. */
  onStdout(chunk: Buffer): Promise<void> | void;
  /** Each stderr line, without its newline (not called with mergeStderr). */
  onStderrLine(line: string): void;
}

export interface ChildResult {
  pid: number | undefined;
  /** Exit code, or null when the child ended by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Killed because it outlived timeoutMs. */
  timedOut: boolean;
  /** Killed by stop() (shutdown). */
  stopped: boolean;
  /** The shell itself could not be started (spawn failed). */
  spawnError: Error | undefined;
}

export interface ChildRun {
  readonly pid: number | undefined;
  /** Settles when the child has exited, its output is read and every onStdout promise has settled. */
  readonly done: Promise<ChildResult>;
  /** Shutdown: TERM to the process group, KILL after graceMs; resolves with the run's result. */
  stop(graceMs: number): Promise<ChildResult>;
}

// After a kill, output pipes still held open by a process that left the group (a daemon) are closed after this long.
const PIPE_DRAIN_MS = 1000;

/**
 * Runs one command in its own process group (so a timeout or a shutdown kills the whole pipeline, not just the
 * shell), streaming stdout to the caller and stderr line by line.
 */
export function runChild(options: ChildOptions): ChildRun {
  const { command, log } = options;
  const script = options.mergeStderr ? `exec 2>&1\n${command}` : command;
  const child = spawn('/bin/sh', ['-c', script], {
    detached: true,
    stdio: ['ignore', 'pipe', options.mergeStderr ? 'ignore' : 'pipe'],
  });
  const pid = child.pid;
  const stdout = child.stdout!;
  let timedOut = false;
  let stopped = false;
  let closed = false;
  let spawnError: Error | undefined;
  let pending: Promise<void> = Promise.resolve();
  let drainTimer: NodeJS.Timeout | undefined;

  const killGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined || closed) return;
    if (drainTimer === undefined) {
      drainTimer = setTimeout(() => {
        stdout.destroy();
        child.stderr?.destroy();
      }, PIPE_DRAIN_MS);
    }
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  // Backpressure: while a returned promise is pending, reading stops; chunks that still arrive (Node flushes a
  // paused pipe when the child exits) wait here in order.
  let blocked = false;
  const queued: Buffer[] = [];
  const deliver = (chunk: Buffer): void => {
    const wait = options.onStdout(chunk);
    if (!wait) return;
    blocked = true;
    stdout.pause();
    pending = pending
      .then(() => wait)
      .catch((err: unknown) => log.error({ command, pid, err }, 'handling the command output failed'))
      .then(() => {
        blocked = false;
        while (!blocked && queued.length > 0) deliver(queued.shift()!);
        if (!blocked) stdout.resume();
      });
  };
  stdout.on('data', (chunk: Buffer) => {
    if (blocked) queued.push(chunk);
    else deliver(chunk);
  });
  const drained = async (): Promise<void> => {
    while (blocked || queued.length > 0) await pending;
  };
  if (child.stderr) splitLines(child.stderr, options.onStderrLine);

  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    log.warn({ command, pid, timeout: options.timeoutMs! / 1000 },
      `child process timed out after ${options.timeoutMs! / 1000}s; killing its process group (SIGKILL)`);
    killGroup('SIGKILL');
  }, options.timeoutMs);

  const done = new Promise<ChildResult>((resolve) => {
    let code: number | null = null;
    let signal: NodeJS.Signals | null = null;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('exit', (c, s) => {
      code = c;
      signal = s;
    });
    child.on('close', () => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      void drained().then(() => resolve({ pid, code, signal, timedOut, stopped, spawnError }));
    });
  });

  return {
    pid,
    done,
    async stop(graceMs) {
      stopped = true;
      killGroup('SIGTERM');
      const kill = setTimeout(() => killGroup('SIGKILL'), graceMs);
      try {
        return await done;
      } finally {
        clearTimeout(kill);
      }
    },
  };
}

/** Calls `each` with every line of a stream (the last one even without a newline), without `\r\n`. */
function splitLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let carry = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (carry + text).split('\n');
    carry = lines.pop()!;
    for (const line of lines) each(line.endsWith('\r') ? line.slice(0, -1) : line);
  });
  stream.on('end', () => {
    if (carry) each(carry);
  });
}
