import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ChangeDetector } from '../../src/exec/change-detector.ts';
import { ExecSource, type ExecSourceOptions } from '../../src/exec/exec-source.ts';
import { SnapshotStore } from '../../src/exec/snapshot-store.ts';
import type { EventBatch } from '../../src/event/event-batch.ts';
import { BufferOverflowError } from '../../src/plugin-api/errors.ts';
import type { Parser } from '../../src/plugin-api/types.ts';
import { testContext, testLogger, type TestContext } from '../formatter/plugin-builder.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'logferry-exec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The source under test takes any parser; this one keeps each line as {message} and refuses lines starting BAD.
const lineParser: Parser = {
  parse(text: string, out: EventBatch) {
    if (text.startsWith('BAD')) return false;
    out.add(NaN, 0, { message: text });
    return true;
  },
};

function source(command: string, options: Partial<ExecSourceOptions> = {}) {
  const { log, lines: logs } = testLogger();
  const ctx = testContext(log);
  const exec = new ExecSource(ctx, {
    command, mergeStderr: false, intervalMs: undefined, timeoutMs: undefined, readMode: 'lines', encoding: undefined,
    readBlockSize: 10240, parser: lineParser, extractor: undefined, tag: 'test', changes: undefined, ...options,
  });
  return { exec, ctx, logs };
}

const messages = (ctx: TestContext, tag = 'test') =>
  ctx.emitted.filter((e) => e.tag === tag).map((e) => e.batch.records.map((r) => r.message));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('ExecSource', () => {
  it('without run_interval runs once at start and streams the output as it comes', async () => {
    const { exec, ctx } = source(`printf 'a\\nb\\n'; sleep 0.3; echo c`);
    await exec.start();
    await until('c', () => ctx.emitted.length >= 2);
    await exec.shutdown();
    assert.deepEqual(messages(ctx), [['a', 'b'], ['c']]);
    const sec = ctx.emitted[0]!.batch.secs[0]!;
    assert.ok(Math.abs(sec - Date.now() / 1000) < 5, 'no parser time: the event time is now');
  });

  it('with run_interval runs every interval, the first run after one interval, one batch per run', async () => {
    const { exec, ctx } = source('echo one; echo two', { intervalMs: 150 });
    const started = Date.now();
    await exec.start();
    await until('first run', () => ctx.emitted.length >= 1);
    const first = Date.now() - started;
    await until('three runs', () => ctx.emitted.length >= 3);
    await exec.shutdown();
    assert.ok(first >= 140, `first run after one interval (${first} ms)`);
    assert.deepEqual(messages(ctx).slice(0, 3), [['one', 'two'], ['one', 'two'], ['one', 'two']]);
  });

  it('runs never overlap: a tick during a run is skipped with a warning', async () => {
    const log = path.join(dir, 'overlap.log');
    writeFileSync(log, '');
    const { exec, logs } = source(`echo start >> ${log}; sleep 0.35; echo end >> ${log}`, { intervalMs: 100, timeoutMs: 5000 });
    await exec.start();
    await sleep(1000);
    await exec.shutdown();
    const events = readFileSync(log, 'utf8').trim().split('\n');
    assert.ok(events.length >= 4);
    events.forEach((e, i) => assert.equal(e, i % 2 === 0 ? 'start' : 'end', `run ${Math.floor(i / 2)} ended before the next began`));
    assert.ok(logs.some((l) => l.level === 40 && l.msg === 'previous child process is still running. skipped.'));
  });

  it('a command outliving command_timeout has its process group killed; what it printed is emitted', async () => {
    const { exec, ctx, logs } = source('echo partial; sleep 30 | cat', { intervalMs: 100, timeoutMs: 250 });
    const started = Date.now();
    await exec.start();
    await until('the partial output', () => ctx.emitted.length >= 1);
    await exec.shutdown();
    assert.ok(Date.now() - started < 3000);
    assert.deepEqual(messages(ctx)[0], ['partial']);
    assert.ok(logs.some((l) => l.level === 40 && /child process timed out after 0.25s; killing its process group/.test(l.msg)));
  });

  it('a non-zero exit is logged with its code and the records are still emitted; stderr is logged', async () => {
    const { exec, ctx, logs } = source('echo kept; echo "disk on fire" >&2; exit 4');
    await exec.start();
    await until('the run', () => logs.some((l) => /exited with code 4/.test(l.msg)));
    await exec.shutdown();
    assert.deepEqual(messages(ctx), [['kept']]);
    const exit = logs.find((l) => /exited with code 4/.test(l.msg))!;
    assert.equal(exit.level, 40);
    assert.equal(exit.code, 4);
    assert.ok(logs.some((l) => l.level === 40 && l.stderr === 'disk on fire'));
  });

  it('a command that cannot start is an error', async () => {
    const { exec, ctx, logs } = source('logferry-no-such-command --flag');
    await exec.start();
    await until('the error', () => logs.some((l) => l.level === 50));
    await exec.shutdown();
    assert.match(logs.find((l) => l.level === 50)!.msg, /command could not be started: \/bin\/sh exited with 127 \(command not found\)/);
    assert.deepEqual(ctx.emitted, []);
  });

  it('a line the parser rejects goes to the error route with its raw text', async () => {
    const { exec, ctx } = source('echo good; echo "BAD line"');
    await exec.start();
    await until('the run', () => ctx.emitted.length >= 1 && ctx.errors.length >= 1);
    await exec.shutdown();
    assert.deepEqual(messages(ctx), [['good']]);
    assert.deepEqual(ctx.errors.map((e) => [e.tag, e.record, e.error.message]), [['test', { unmatched_line: 'BAD line' }, 'pattern not matched: "BAD line"']]);
  });

  it('holds a run\'s events while buffers are full, and skips ticks meanwhile', async () => {
    const { exec, ctx, logs } = source('echo held', { intervalMs: 100, timeoutMs: 5000 });
    let refusals = 0;
    const accepted: string[][] = [];
    ctx.emit = async (_tag, batch) => {
      if (refusals < 4) {
        refusals++;
        throw new BufferOverflowError('buffer space has too many data');
      }
      accepted.push(batch.records.map((r) => String(r.message)));
    };
    await exec.start();
    await until('acceptance', () => accepted.length >= 1);
    await exec.shutdown();
    assert.equal(refusals, 4);
    assert.deepEqual(accepted[0], ['held'], 'the same events, delivered once accepted');
    assert.ok(logs.some((l) => l.msg === 'the previous run\'s events are still waiting for buffer space. skipped.'));
  });

  it('shutdown stops a running command promptly', async () => {
    const { exec, ctx } = source('echo begun; sleep 30');
    await exec.start();
    await until('output', () => ctx.emitted.length >= 1);
    const started = Date.now();
    await exec.shutdown();
    assert.ok(Date.now() - started < 2000);
  });
});

describe('ExecSource with check_diff', () => {
  it('baseline, unchanged (nothing emitted), changed (snapshot + change record), persisted across a restart', async () => {
    const input = path.join(dir, 'ports.txt');
    const file = path.join(dir, 'state', 'snap.json');
    const make = () => {
      const { log } = testLogger();
      const store = new SnapshotStore(file, { file: 0o644, dir: 0o755 });
      return source(`cat ${input}`, {
        intervalMs: 100, timeoutMs: 2000,
        changes: { detector: new ChangeDetector({ command: `cat ${input}`, keys: undefined, store, log }), tag: 'test.changes' },
      });
    };
    writeFileSync(input, '22\n80\n');
    let s = make();
    await s.exec.start();
    await until('baseline', () => s.ctx.emitted.length >= 1);
    await sleep(350);
    assert.deepEqual(messages(s.ctx), [['22', '80']], 'the baseline once, then nothing while unchanged');
    writeFileSync(input, '80\n443\n22\n');
    await until('a change', () => s.ctx.emitted.length >= 3);
    await s.exec.shutdown();
    assert.deepEqual(messages(s.ctx)[1], ['80', '443', '22']);
    const change = s.ctx.emitted.find((e) => e.tag === 'test.changes')!.batch.records[0];
    assert.deepEqual(change, { added: [{ message: '443' }], removed: [], previous_count: 2, current_count: 3 });

    // Down: a port closes. The restarted source reports it at its first run and does not repeat the old change.
    writeFileSync(input, '443\n22\n');
    s = make();
    await s.exec.start();
    await until('the change made while down', () => s.ctx.emitted.length >= 2);
    await sleep(250);
    await s.exec.shutdown();
    assert.deepEqual(s.ctx.emitted.map((e) => e.tag), ['test', 'test.changes']);
    assert.deepEqual(s.ctx.emitted[1]!.batch.records[0], { added: [], removed: [{ message: '80' }], previous_count: 3, current_count: 2 });
  });

  it('a run that fails is emitted but not compared: the baseline stays', async () => {
    const input = path.join(dir, 'flaky.txt');
    writeFileSync(input, 'a\nb\n');
    const { log } = testLogger();
    const command = `cat ${input}; test -e ${input}.fail && exit 1; true`;
    const s = source(command, {
      intervalMs: 100, timeoutMs: 2000,
      changes: { detector: new ChangeDetector({ command, keys: undefined, store: undefined, log }), tag: 'test.changes' },
    });
    await s.exec.start();
    await until('baseline', () => s.ctx.emitted.length >= 1);
    writeFileSync(`${input}.fail`, '');
    writeFileSync(input, 'a\n');
    await until('the failed run', () => s.logs.some((l) => /change detection skipped for this run \(exit code 1\)/.test(l.msg)));
    rmSync(`${input}.fail`);
    writeFileSync(input, 'a\nb\n');
    await sleep(300);
    await s.exec.shutdown();
    assert.equal(s.ctx.emitted.filter((e) => e.tag === 'test.changes').length, 0, 'back to the baseline: no change reported');
  });
});
