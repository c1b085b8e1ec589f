import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runChild, type ChildOptions } from '../../src/exec/child-process.ts';
import { testLogger } from '../formatter/plugin-builder.ts';

function run(command: string, extra: Partial<ChildOptions> = {}) {
  const { log, lines } = testLogger();
  const chunks: Buffer[] = [];
  const stderr: string[] = [];
  const child = runChild({
    command, mergeStderr: false, timeoutMs: undefined, log,
    onStdout: (c) => void chunks.push(c), onStderrLine: (l) => stderr.push(l), ...extra,
  });
  const stdout = () => Buffer.concat(chunks).toString();
  return { child, stdout, stderr, logs: lines };
}

/** Running (a killed process may linger as a zombie until its new parent reaps it). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runChild', () => {
  it('runs through /bin/sh -c: pipes, quotes, exit status, stderr lines', async () => {
    const r = run(`printf 'a b\\nc\\n' | tr a-z A-Z; echo "oops" >&2; printf 'last' >&2; exit 3`);
    const result = await r.child.done;
    assert.equal(r.stdout(), 'A B\nC\n');
    assert.deepEqual(r.stderr, ['oops', 'last']);
    assert.equal(result.code, 3);
    assert.equal(result.signal, null);
    assert.equal(result.timedOut, false);
  });
  it('read_with_stderr: stderr arrives in stdout', async () => {
    const r = run('echo out; echo err >&2', { mergeStderr: true });
    await r.child.done;
    assert.equal(r.stdout(), 'out\nerr\n');
    assert.deepEqual(r.stderr, []);
  });
  it('a timeout kills the whole process group, with a log line', async () => {
    // The shell starts a background sleep and reports its pid; both must die.
    const r = run('sleep 30 & echo $!; sleep 30 | cat', { timeoutMs: 300 });
    const started = Date.now();
    const result = await r.child.done;
    assert.ok(Date.now() - started < 3000, 'killed well before the commands would end');
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, 'SIGKILL');
    const grandchild = Number(r.stdout().trim());
    assert.ok(grandchild > 0);
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(grandchild), false, 'the background sleep was killed too');
    assert.ok(r.logs.some((l) => l.level === 40 && /child process timed out after 0.3s; killing its process group/.test(l.msg)));
  });
  it('stop() sends TERM to the group and reports the run as stopped', async () => {
    const r = run('echo started; sleep 30');
    await new Promise((res) => setTimeout(res, 200));
    const result = await r.child.stop(5000);
    assert.equal(result.stopped, true);
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(r.stdout(), 'started\n');
  });
  it('stop() escalates to KILL after the grace period', async () => {
    const r = run(`trap '' TERM; echo ready; sleep 30 & wait; sleep 30`);
    await new Promise((res) => setTimeout(res, 200));
    const started = Date.now();
    const result = await r.child.stop(300);
    assert.ok(Date.now() - started < 3000);
    assert.equal(result.signal, 'SIGKILL');
  });
  it('a returned promise holds reading until it settles', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const { log } = testLogger();
    const child = runChild({
      command: 'echo one; sleep 0.1; echo two', mergeStderr: false, timeoutMs: undefined, log,
      onStdout: (c) => {
        order.push(c.toString().trim());
        if (order.length === 1) return gate.then(() => void order.push('released'));
        return undefined;
      },
      onStderrLine: () => {},
    });
    setTimeout(release, 300);
    await child.done;
    assert.deepEqual(order, ['one', 'released', 'two']);
  });
  it('a command the shell cannot find exits 127', async () => {
    const r = run('no-such-command-logferry');
    const result = await r.child.done;
    assert.equal(result.code, 127);
    assert.match(r.stderr.join('\n'), /no-such-command-logferry.*not found/);
  });
});
