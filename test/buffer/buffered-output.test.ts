import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { BufferOverflowError, UnrecoverableError } from '../../src/plugin-api/errors.ts';
import type { EventRecord } from '../../src/event/event-batch.ts';
import { memoryLogger, tempDir } from '../helpers/harness.ts';
import {
  batchOf, bufferSettings, decodeStandard, deferred, entrySizes, FakeClock, recordingOutput, rig, settle, until, type Rig, type RecordingOutput,
} from './helpers.ts';

const { dir: ROOT, cleanup } = tempDir('logferry-buffer-test-');
after(cleanup);
let rootSeq = 0;
/** A fresh root_dir per test. */
const freshRoot = () => path.join(ROOT, `t${++rootSeq}`);

/** Wall-clock seconds, floored: chunks stamp createdAt with the wall clock, so interval tests start the fake clock here. */
const wallNow = () => Math.floor(Date.now() / 1000);

const ns = (records: EventRecord[]) => records.map((r) => r.n as number);

function sortedNs(out: RecordingOutput): number[] {
  return ns(out.records()).sort((a, b) => a - b);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

// =====================================================================================================================
describe('flush modes', () => {
  test('default flush_mode is lazy with a time chunk key and interval without (Fluentd output.rb#configure)', () => {
    assert.equal(bufferSettings('tag,time', { timekey: '3600' }).flushMode, 'lazy');
    assert.equal(bufferSettings('time', { timekey: '60' }).flushMode, 'lazy');
    assert.equal(bufferSettings('tag', {}).flushMode, 'interval');
    assert.equal(bufferSettings('', {}).flushMode, 'interval');
    assert.equal(bufferSettings('tag,time', { timekey: '3600', flush_mode: 'interval' }).flushMode, 'interval');
    // flush_interval with the default (lazy) mode: a warning and ignored; with an explicit non-interval mode: an error.
    const { log, entries } = memoryLogger();
    assert.equal(bufferSettings('time', { timekey: '3600', flush_interval: '5' }, log).flushMode, 'lazy');
    assert.ok(entries.some((e) => e.level === 'warn' && /flush_interval' is ignored/.test(e.msg)), JSON.stringify(entries));
    assert.throws(() => bufferSettings('time', { timekey: '3600', flush_mode: 'lazy', flush_interval: '5' }), ConfigError);
    assert.throws(() => bufferSettings('tag,time', {}), /timekey is not configured/);
  });

  test('lazy (time chunk key): nothing is enqueued before timekey + timekey_wait, the chunk is written at it', async () => {
    const base = wallNow();
    const hour = base - (base % 3600);
    const clock = new FakeClock(hour + 10);
    const out = recordingOutput(clock);
    const { handle, settings } = rig({ keys: 'time', attrs: { timekey: '3600', timekey_wait: '600', timekey_use_utc: 'true' }, plugin: out, clock, root: freshRoot() });
    assert.equal(settings.flushMode, 'lazy');
    await handle.start();
    await handle.emit('app', batchOf([[hour + 5, { n: 0 }], [hour + 3599, { n: 1 }], [hour + 3600, { n: 2 }]]));
    assert.equal(handle.metrics().stagedChunks, 2, 'two timekeys, two chunks');

    // Far past flush_interval (60 s) from the chunks' creation, but before hour + 3600 + 600: lazy waits.
    for (const t of [hour + 3600, hour + 4199, hour + 4199.999]) {
      clock.set(t);
      handle.enqueueCheck();
      await settle();
      assert.equal(out.attempts.length, 0, `nothing written at ${t - hour}`);
      assert.equal(handle.metrics().queueLength + out.attempts.length, 0);
    }
    clock.set(hour + 4200);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 1, 'the first hour to be written');
    assert.equal(out.delivered[0]!.metadata.timekey, hour);
    assert.deepEqual(ns(out.records()), [0, 1]);
    assert.equal(handle.metrics().stagedChunks, 1, 'the next hour stays staged');

    clock.set(hour + 7799.5);
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 1);
    clock.set(hour + 7800);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 2, 'the second hour to be written');
    assert.equal(out.delivered[1]!.metadata.timekey, hour + 3600);
    assert.deepEqual(ns(out.records()), [0, 1, 2]);
    await handle.shutdown();
  });

  test('lazy without a time chunk key flushes only full chunks (and at shutdown)', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const { handle } = rig({ keys: 'tag', attrs: { flush_mode: 'lazy', chunk_limit_records: '3' }, plugin: out, clock, root: freshRoot() });
    await handle.start();
    await handle.emit('a', batchOf([[1, { n: 0 }], [1, { n: 1 }]]));
    clock.set(clock.t + 86400 * 30);
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 0, 'a month later the partial chunk is still staged');
    await handle.emit('a', batchOf([[1, { n: 2 }], [1, { n: 3 }]]));
    await until(() => out.delivered.length === 1, 'the full chunk');
    assert.deepEqual(ns(out.records()), [0, 1, 2]);
    await handle.shutdown(); // memory buffer: flush_at_shutdown defaults to true
    assert.deepEqual(ns(out.records()), [0, 1, 2, 3]);
  });

  test('interval: each chunk is enqueued flush_interval after its own creation', async () => {
    const clock = new FakeClock(wallNow() - 1);
    const out = recordingOutput(clock);
    const { handle, storage, settings } = rig({ keys: 'tag', attrs: { flush_interval: '30' }, plugin: out, clock, root: freshRoot() });
    assert.equal(settings.flushMode, 'interval');
    await handle.start();
    await handle.emit('a', batchOf([[1, { n: 0 }]]));
    await new Promise((r) => setTimeout(r, 5)); // chunk creation times come from the wall clock (ms resolution)
    await handle.emit('b', batchOf([[1, { n: 1 }]]));
    const [a, b] = storage.created;
    assert.ok(a && b && b.createdAt > a.createdAt, 'b was created after a');

    clock.set(a.createdAt + 30 - 0.001);
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 0, 'nothing before flush_interval');

    clock.set(a.createdAt + 30);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 1, 'chunk a');
    assert.equal(out.delivered[0]!.chunkId, a.chunkId);
    assert.equal(out.delivered[0]!.metadata.tag, 'a');
    assert.equal(handle.metrics().stagedChunks, 1, 'b is younger and stays staged');

    clock.set(b.createdAt + 30);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 2, 'chunk b');
    assert.equal(out.delivered[1]!.chunkId, b.chunkId);
    assert.deepEqual(ns(out.records()), [0, 1]);
    await handle.shutdown();
  });

  test('default mode without a time key is interval with flush_interval 60', async () => {
    const clock = new FakeClock(wallNow() - 1);
    const out = recordingOutput(clock);
    const { handle, storage } = rig({ keys: 'tag', plugin: out, clock, root: freshRoot() });
    await handle.start();
    await handle.emit('a', batchOf([[1, { n: 0 }]]));
    const chunk = storage.created[0]!;
    clock.set(chunk.createdAt + 59.9);
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 0);
    clock.set(chunk.createdAt + 60);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 1, 'the chunk after 60 s');
    await handle.shutdown();
  });

  test('default mode with a time key is lazy: flush_interval has no effect', async () => {
    const base = wallNow();
    const clock = new FakeClock(base);
    const out = recordingOutput(clock);
    const { handle, storage } = rig({ keys: 'tag,time', attrs: { timekey: '86400', timekey_use_utc: 'true' }, plugin: out, clock, root: freshRoot() });
    await handle.start();
    // Events two days ahead, so their timekey + timekey_wait is far from the chunk's creation.
    const day = base - (base % 86400) + 2 * 86400;
    await handle.emit('a', batchOf([[day + 10, { n: 0 }]]));
    const chunk = storage.created[0]!;
    clock.set(chunk.createdAt + 3600); // an hour after creation: long past the default flush_interval
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 0);
    clock.set(day + 86400 + 599);
    handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 0);
    clock.set(day + 86400 + 600);
    handle.enqueueCheck();
    await until(() => out.delivered.length === 1, 'the day chunk at timekey + timekey_wait');
    await handle.shutdown();
  });

  test('immediate: every emit is written at once', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const { handle } = rig({ keys: 'tag', attrs: { flush_mode: 'immediate' }, plugin: out, clock, root: freshRoot() });
    await handle.start();
    await handle.emit('a', batchOf([[1, { n: 0 }], [2, { n: 1 }]]));
    await until(() => out.delivered.length === 1, 'the first emit');
    assert.deepEqual(ns(out.records()), [0, 1]);
    await handle.emit('b', batchOf([[3, { n: 2 }]]));
    await until(() => out.delivered.length === 2, 'the second emit');
    assert.deepEqual(ns(out.records()), [0, 1, 2]);
    assert.equal(out.delivered[1]!.metadata.tag, 'b');
    assert.equal(clock.t, out.delivered[1]!.at, 'without moving the clock');
    await handle.shutdown();
  });
});

// =====================================================================================================================
describe('chunking', () => {
  test('tag and time chunk keys: one chunk per (tag, timekey), with that metadata', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const { handle } = rig({ keys: 'tag,time', attrs: { timekey: '86400', timekey_zone: '+0900' }, plugin: out, clock, root: freshRoot() });
    await handle.start();
    // 2023-11-14T15:00:00Z is 2023-11-15 00:00 at +0900: the local day boundary.
    const boundary = Date.UTC(2023, 10, 14, 15) / 1000;
    let n = 0;
    const events = (secs: number[]) => batchOf(secs.map((s) => [s, { n: n++ }]));
    await handle.emit('x', events([boundary - 1, boundary, boundary + 100, boundary - 86400]));
    await handle.emit('y', events([boundary + 5, boundary - 5]));
    await handle.emit('x', events([boundary + 86399, boundary + 86400]));
    assert.equal(handle.metrics().emitRecords, 8);
    await handle.flush();

    const byMeta = new Map<string, number[]>();
    for (const a of out.delivered) {
      const { timekey, tag, variables } = a.metadata;
      assert.equal(variables, null);
      assert.ok(timekey !== null && (timekey + 9 * 3600) % 86400 === 0, `timekey ${timekey} is a local (+0900) midnight`);
      for (const e of a.events) {
        assert.ok(e.sec >= timekey && e.sec < timekey + 86400, `event at ${e.sec} belongs to timekey ${timekey}`);
      }
      const key = `${tag}@${timekey}`;
      assert.ok(!byMeta.has(key), `one chunk for ${key}`);
      byMeta.set(key, a.events.map((e) => e.record.n as number));
    }
    assert.deepEqual(Object.fromEntries(byMeta), {
      [`x@${boundary - 86400}`]: [0, 3],
      [`x@${boundary}`]: [1, 2, 6],
      [`y@${boundary}`]: [4],
      [`y@${boundary - 86400}`]: [5],
      [`x@${boundary + 86400}`]: [7],
    });
    await handle.shutdown();
  });

  test('record chunk keys (plain and nested $.a.b) split chunks and fill metadata.variables', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const { handle } = rig({ keys: 'host,$.k8s.ns', plugin: out, clock, root: freshRoot() });
    await handle.start();
    const recs: EventRecord[] = [
      { n: 0, host: 'h1', k8s: { ns: 'prod' } },
      { n: 1, host: 'h2', k8s: { ns: 'prod' } },
      { n: 2, host: 'h1', k8s: { ns: 'dev' } },
      { n: 3, host: 'h1', k8s: { ns: 'prod' } },
      { n: 4, host: 'h2' },
      { n: 5, host: 'h1', k8s: { ns: 'dev' } },
    ];
    await handle.emit('t', batchOf(recs.map((r) => [1, r])));
    assert.equal(handle.metrics().stagedChunks, 4);
    await handle.flush();
    const got = out.delivered.map((a) => ({ tag: a.metadata.tag, timekey: a.metadata.timekey, variables: a.metadata.variables, ns: a.events.map((e) => e.record.n) }));
    got.sort((x, y) => (x.ns[0] as number) - (y.ns[0] as number));
    assert.deepEqual(got, [
      { tag: null, timekey: null, variables: { host: 'h1', '$.k8s.ns': 'prod' }, ns: [0, 3] },
      { tag: null, timekey: null, variables: { host: 'h2', '$.k8s.ns': 'prod' }, ns: [1] },
      { tag: null, timekey: null, variables: { host: 'h1', '$.k8s.ns': 'dev' }, ns: [2, 5] },
      { tag: null, timekey: null, variables: { host: 'h2', '$.k8s.ns': '' }, ns: [4] },
    ]);
    await handle.shutdown();
  });

  test('chunk_limit_size: no chunk exceeds it, chunks are not cut early, no record is lost or duplicated', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const limit = 300;
    const { handle } = rig({ keys: 'tag', attrs: { chunk_limit_size: String(limit) }, plugin: out, clock, root: freshRoot(), file: true });
    await handle.start();
    let n = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sizes = [1, 40, 3, 25, 1, 60, 2, 7];
    for (const size of sizes) {
      const batch = batchOf(range(0, size).map(() => [1000, { n: n++, pad: 'x'.repeat(Math.floor(rand() * 60)) }]));
      await handle.emit('s', batch);
      await settle();
    }
    await handle.flush();
    assert.deepEqual(ns(out.records()), range(0, n), 'every record once, in order');
    assert.ok(out.delivered.length > 1);
    for (const [i, a] of out.delivered.entries()) {
      assert.equal(a.bytes.length, a.bytesize, 'bytesize is the chunk body length');
      assert.equal(a.events.length, a.recordCount);
      assert.ok(a.bytesize <= limit, `chunk ${i} has ${a.bytesize} bytes > ${limit}`);
      const next = out.delivered[i + 1];
      if (next) {
        // The chunk was closed because the next record did not fit, or because it reached chunk_full_threshold.
        const nextEntry = entrySizes(next.bytes)[0]!;
        assert.ok(a.bytesize + nextEntry > limit || a.bytesize >= limit * 0.95, `chunk ${i} (${a.bytesize} B) was cut although the next ${nextEntry} B record fit`);
      }
    }
    await handle.shutdown();
  });

  test('chunk_limit_records: no chunk holds more, full chunks are written, no record is lost or duplicated', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const { handle } = rig({ keys: 'tag', attrs: { chunk_limit_records: '7' }, plugin: out, clock, root: freshRoot() });
    await handle.start();
    let n = 0;
    for (const size of [3, 50, 1, 2, 9, 4]) {
      await handle.emit('r', batchOf(range(0, size).map(() => [1, { n: n++ }])));
      // A chunk that reached 7 records is enqueued by the emit that filled it (56 = 8 × 7 ends a batch).
      assert.equal(handle.metrics().stagedChunks, n % 7 === 0 ? 0 : 1, `staged chunks after ${n} records`);
      await settle();
    }
    // Full chunks (7 >= 7 × 0.95) were enqueued without any flush; only the remainder is staged.
    const total = n;
    assert.equal(handle.metrics().stagedChunks, 1);
    await until(() => out.delivered.length === Math.floor(total / 7), 'the full chunks');
    assert.ok(out.delivered.every((a) => a.recordCount === 7), JSON.stringify(out.delivered.map((a) => a.recordCount)));
    await handle.flush();
    assert.deepEqual(ns(out.records()), range(0, total));
    assert.ok(out.delivered.every((a) => a.recordCount <= 7 && a.events.length === a.recordCount));
    assert.equal(out.delivered.at(-1)!.recordCount, total % 7);
    await handle.shutdown();
  });
});

// =====================================================================================================================

/** Moves the clock to just before `t` (no attempt may start) and then to `t` (exactly one attempt starts). */
async function attemptAt(r: Rig, out: RecordingOutput, clock: FakeClock, t: number): Promise<void> {
  const before = out.attempts.length;
  clock.set(t - 0.001);
  r.handle.enqueueCheck();
  await settle();
  assert.equal(out.attempts.length, before, `no write before ${t}`);
  clock.set(t);
  r.handle.enqueueCheck();
  await until(() => out.attempts.length === before + 1, `a write at ${t}`);
}

const failures = (count: number, make: () => Error = () => new Error('destination down')) => Array.from({ length: count }, make);

const backupPath = (root: string, chunkId: string) => path.join(root, 'backup', 'worker0', 'out_test', `${chunkId}.log`);

describe('retries', () => {
  const schedules: Array<{ name: string; attrs: Record<string, string>; nexts: number[] }> = [
    { name: 'exponential_backoff waits 1, 2, 4, 8 s', attrs: {}, nexts: [1, 3, 7, 15] },
    { name: 'retry_wait 2, base 3, retry_max_interval 10 waits 2, 6, 10, 10 s', attrs: { retry_wait: '2', retry_exponential_backoff_base: '3', retry_max_interval: '10' }, nexts: [2, 8, 18, 28] },
    { name: 'periodic waits retry_wait each time', attrs: { retry_type: 'periodic', retry_wait: '5' }, nexts: [5, 10, 15, 20] },
  ];
  for (const { name, attrs, nexts } of schedules) {
    test(`${name}: a write failing ${nexts.length} times, then succeeding`, async () => {
      const t0 = 1_700_000_000;
      const clock = new FakeClock(t0);
      const out = recordingOutput(clock);
      out.plan = failures(nexts.length);
      const r = rig({ attrs: { flush_mode: 'immediate', retry_randomize: 'false', ...attrs }, plugin: out, clock, root: freshRoot() });
      await r.handle.start();
      await r.handle.emit('t', batchOf([[1, { n: 0 }], [2, { n: 1 }]]));
      await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
      for (const [i, next] of nexts.entries()) {
        const m = r.handle.metrics();
        assert.equal(m.nextRetryTime, t0 + next, `next retry time after failure ${i + 1}`);
        assert.equal(m.retryCount, i, `retry steps after failure ${i + 1}`);
        assert.equal(out.delivered.length, 0);
        await attemptAt(r, out, clock, t0 + next);
      }
      assert.deepEqual(out.attempts.map((a) => a.at - t0), [0, ...nexts]);
      assert.equal(new Set(out.attempts.map((a) => a.chunkId)).size, 1, 'the same chunk each time');
      assert.equal(out.delivered.length, 1);
      assert.deepEqual(ns(out.records()), [0, 1]);
      const m = r.handle.metrics();
      assert.equal(m.nextRetryTime, null);
      assert.equal(m.retryCount, 0);
      assert.equal(m.numErrors, nexts.length, 'num_errors is a running total: it does not reset after the success');
      assert.equal(m.writtenChunks, 1);
      assert.equal(m.queueLength, 0);
      assert.ok(r.logs.some((e) => e.msg === 'retry succeeded' && e.retry_count === nexts.length - 1));
      await r.handle.shutdown();
    });
  }

  test('one warn line per failure streak: a retry failing the same way again is logged at debug, a new error warns again', async () => {
    const t0 = 1_700_000_000;
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    out.plan = [new Error('endpoint down'), new Error('endpoint down'), new Error('endpoint down'), new Error('HTTP 500')];
    const r = rig({ attrs: { flush_mode: 'immediate', retry_randomize: 'false' }, plugin: out, clock, root: freshRoot() });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const next of [1, 3, 7, 15]) await attemptAt(r, out, clock, t0 + next);
    const failures = r.logs.filter((e) => e.msg === 'failed to flush the buffer.').map((e) => [e.level, (e.err as { message: string }).message]);
    assert.deepEqual(failures, [['warn', 'endpoint down'], ['debug', 'endpoint down'], ['debug', 'endpoint down'], ['warn', 'HTTP 500']]);
    assert.equal(out.delivered.length, 1);
    await r.handle.shutdown();
  });

  test('retry_max_times: gives up after that many retries; every queued chunk is backed up with its bytes', async () => {
    const t0 = 1_700_000_000;
    const root = freshRoot();
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    out.plan = failures(10);
    const r = rig({ keys: 'tag', attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_max_times: '2' }, plugin: out, clock, root, file: true });
    await r.handle.start();
    await r.handle.emit('a', batchOf([[1, { n: 0 }], [2, { n: 1 }], [3, { n: 2 }]]));
    await r.handle.emit('b', batchOf([[4, { n: 3 }], [5, { n: 4 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    assert.equal(r.handle.metrics().queueLength, 2);
    await attemptAt(r, out, clock, t0 + 1);
    assert.equal(r.handle.metrics().nextRetryTime, t0 + 3);
    await attemptAt(r, out, clock, t0 + 3);
    const [a, b] = r.storage.created;
    await until(() => existsSync(backupPath(root, a!.chunkId)) && existsSync(backupPath(root, b!.chunkId)), 'both backups');
    assert.deepEqual(out.attempts.map((x) => [x.at - t0, x.metadata.tag]), [[0, 'a'], [1, 'a'], [3, 'a']]);
    // The backup holds the chunk's bytes: what the plugin read, and for b (never written) its records.
    assert.deepEqual(readFileSync(backupPath(root, a!.chunkId)), out.attempts[0]!.bytes);
    const bBackup = readFileSync(backupPath(root, b!.chunkId));
    assert.deepEqual(decodeAll(bBackup), [[4, { n: 3 }], [5, { n: 4 }]]);
    const m = r.handle.metrics();
    assert.deepEqual({ q: m.queueLength, dropped: m.droppedChunks, next: m.nextRetryTime, qb: m.queueBytes, written: m.writtenChunks },
      { q: 0, dropped: 2, next: null, qb: 0, written: 0 });
    assert.ok(r.logs.some((e) => e.level === 'error' && /hit limit for retries/.test(e.msg)));
    await until(() => readdirSync(r.bufferDir).length === 0, 'the chunk files to be removed from the buffer');
    // No more attempts later, and the next chunk starts afresh.
    clock.set(t0 + 1000);
    r.handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 3);
    out.plan = [];
    await r.handle.emit('c', batchOf([[6, { n: 5 }]]));
    await until(() => out.delivered.length === 1, 'a later chunk');
    assert.deepEqual(ns(out.records()), [5]);
    await r.handle.shutdown();
  });

  test('retry_timeout: the next retry is capped at start + retry_timeout, and a failure then gives up', async () => {
    const t0 = 1_700_000_000;
    const root = freshRoot();
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    out.plan = failures(10);
    const r = rig({ attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_timeout: '10' }, plugin: out, clock, root });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const t of [1, 3, 7]) await attemptAt(r, out, clock, t0 + t);
    assert.equal(r.handle.metrics().nextRetryTime, t0 + 10, 'capped at retry_timeout (uncapped it would be +15)');
    assert.equal(r.handle.metrics().droppedChunks, 0);
    await attemptAt(r, out, clock, t0 + 10);
    const chunkId = out.attempts[0]!.chunkId;
    await until(() => existsSync(backupPath(root, chunkId)), 'the backup');
    assert.deepEqual(readFileSync(backupPath(root, chunkId)), out.attempts[0]!.bytes);
    assert.deepEqual(out.attempts.map((x) => x.at - t0), [0, 1, 3, 7, 10]);
    assert.equal(r.handle.metrics().droppedChunks, 1);
    assert.equal(r.handle.metrics().nextRetryTime, null);
    await r.handle.shutdown();
  });

  test('disable_chunk_backup (with retry_max_times 0): the chunk is dropped at the first failure, no backup file', async () => {
    const t0 = 1_700_000_000;
    const root = freshRoot();
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    out.plan = failures(10);
    const r = rig({ attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_max_times: '0', disable_chunk_backup: 'true' }, plugin: out, clock, root });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().droppedChunks === 1, 'the chunk to be dropped');
    await settle();
    assert.equal(out.attempts.length, 1);
    assert.equal(r.handle.metrics().nextRetryTime, null);
    assert.equal(r.handle.metrics().queueBytes, 0);
    assert.ok(r.logs.some((e) => e.level === 'warn' && /disable_chunk_backup/.test(e.msg)));
    clock.set(t0 + 100);
    r.handle.enqueueCheck();
    await settle();
    assert.equal(out.attempts.length, 1, 'never retried');
    assert.equal(existsSync(path.join(root, 'backup')), false);
    await r.handle.shutdown();
  });

  test('retry_forever: retries past retry_timeout and retry_max_times, uncapped, until the write succeeds', async () => {
    const t0 = 1_700_000_000;
    const root = freshRoot();
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    const nexts = [1, 3, 7, 12, 17, 22];
    out.plan = failures(nexts.length);
    const r = rig({
      attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_forever: 'true', retry_timeout: '4', retry_max_times: '1', retry_max_interval: '5' },
      plugin: out, clock, root,
    });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const next of nexts) {
      assert.equal(r.handle.metrics().nextRetryTime, t0 + next);
      await attemptAt(r, out, clock, t0 + next);
    }
    assert.deepEqual(out.attempts.map((x) => x.at - t0), [0, ...nexts]);
    assert.deepEqual(ns(out.records()), [0]);
    assert.equal(r.handle.metrics().droppedChunks, 0);
    assert.equal(existsSync(path.join(root, 'backup')), false);
    await r.handle.shutdown();
  });
});

function decodeAll(bytes: Buffer): Array<[number, EventRecord]> {
  return decodeStandard(bytes).map((e) => [e.sec, e.record]);
}

// =====================================================================================================================
describe('overflow_action with total_limit_size', () => {
  // Each record packs to about 71 bytes; total_limit_size is checked before an emit (Fluentd's storable?).
  const rec = (n: number) => ({ n, pad: 'x'.repeat(50) });

  test('throw_exception: an emit over the limit rejects with BufferOverflowError and stores nothing', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    const r = rig({ attrs: { total_limit_size: '100', overflow_action: 'throw_exception' }, plugin: out, clock, root: freshRoot() });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, rec(0)]]));
    await r.handle.emit('t', batchOf([[1, rec(1)]])); // 71 < 100: still storable
    const before = r.handle.metrics();
    assert.ok(before.stageBytes >= 100);
    await assert.rejects(r.handle.emit('t', batchOf([[1, rec(2)]])), BufferOverflowError);
    assert.deepEqual(r.handle.metrics(), { ...before, numErrors: before.numErrors + 1 }, 'the rejected emit left the buffer as it was, and counts as an error');
    await r.handle.flush();
    await r.handle.emit('t', batchOf([[1, rec(2)]]));
    await r.handle.flush();
    assert.deepEqual(ns(out.records()), [0, 1, 2]);
    await r.handle.shutdown();
  });

  test('block: the emit waits until a write frees room, then stores its events', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    out.gate = deferred();
    const r = rig({ attrs: { total_limit_size: '100', overflow_action: 'block' }, plugin: out, clock, root: freshRoot() });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, rec(0)]]));
    await r.handle.emit('t', batchOf([[1, rec(1)]]));
    let resolved = false;
    const blocked = r.handle.emit('t', batchOf([[1, rec(2)]])).then(() => (resolved = true));
    await until(() => out.attempts.length === 1, 'the blocked emit to start a write');
    await settle(10);
    assert.equal(resolved, false, 'the emit waits while the write is in progress');
    assert.equal(r.handle.metrics().emitRecords, 2);
    out.gate.resolve();
    await blocked;
    assert.equal(r.handle.metrics().emitRecords, 3);
    await r.handle.flush();
    assert.deepEqual(out.delivered.map((a) => ns(a.events.map((e) => e.record))), [[0, 1], [2]]);
    await r.handle.shutdown();
  });

  test('drop_oldest_chunk: the oldest queued chunk (not the one being written) is dropped to make room', async () => {
    const clock = new FakeClock(wallNow());
    const out = recordingOutput(clock);
    out.gate = deferred();
    const r = rig({ attrs: { total_limit_size: '200', overflow_action: 'drop_oldest_chunk', flush_mode: 'immediate' }, plugin: out, clock, root: freshRoot() });
    await r.handle.start();
    for (const n of [0, 1, 2]) await r.handle.emit('t', batchOf([[1, rec(n)]]));
    await until(() => out.attempts.length === 1, 'the first write');
    assert.equal(r.handle.metrics().queueLength, 2);
    assert.equal(r.handle.metrics().droppedChunks, 0);
    const [, oldestQueued] = r.storage.created;
    await r.handle.emit('t', batchOf([[1, rec(3)]]));
    assert.equal(r.handle.metrics().droppedChunks, 1);
    assert.equal(r.handle.metrics().queueLength, 2);
    assert.ok(r.logs.some((e) => e.level === 'warn' && e.chunk_id === oldestQueued!.chunkId && /dropping oldest chunk/.test(e.msg)));
    out.gate.resolve();
    await r.handle.flush();
    assert.deepEqual(ns(out.records()), [0, 2, 3]);
    await r.handle.shutdown();
  });
});

test('an event larger than chunk_limit_size goes to the error route with its record and Fluentd\'s message; the others are written', async () => {
  const clock = new FakeClock(wallNow());
  const out = recordingOutput(clock);
  const errors: Array<{ tag: string; sec: number; record: EventRecord; error: Error }> = [];
  const r = rig({
    attrs: { chunk_limit_size: '200', flush_mode: 'immediate' }, plugin: out, clock, root: freshRoot(),
    emitError: (tag, sec, _nsec, record, error) => errors.push({ tag, sec, record, error }),
  });
  await r.handle.start();
  const big = { n: 1, pad: 'x'.repeat(300) };
  await r.handle.emit('t', batchOf([[10, { n: 0 }], [11, big], [12, { n: 2 }]]));
  await r.handle.flush();
  assert.deepEqual(ns(out.records()), [0, 2]);
  assert.equal(errors.length, 1);
  assert.deepEqual(errors[0]!.record, big);
  assert.equal(errors[0]!.tag, 't');
  assert.equal(errors[0]!.sec, 11);
  assert.equal(errors[0]!.error.name, 'BufferChunkOverflowError');
  assert.match(errors[0]!.error.message, /^a \d+ bytes record \(nth: 1\) is larger than buffer chunk limit size \(200\)$/);
  await r.handle.shutdown();
});

test('drop_oldest_chunk with nothing queued to drop rejects the emit with BufferOverflowError, as Fluentd', async () => {
  const clock = new FakeClock(wallNow());
  const out = recordingOutput(clock);
  const r = rig({ attrs: { total_limit_size: '100', overflow_action: 'drop_oldest_chunk', flush_mode: 'lazy' }, plugin: out, clock, root: freshRoot() });
  await r.handle.start();
  const rec = (n: number) => ({ n, pad: 'x'.repeat(50) });
  await r.handle.emit('t', batchOf([[1, rec(0)]]));
  await r.handle.emit('t', batchOf([[1, rec(1)]]));
  assert.equal(r.handle.metrics().queueLength, 0, 'everything is staged');
  await assert.rejects(r.handle.emit('t', batchOf([[1, rec(2)]])), BufferOverflowError);
  assert.equal(r.handle.metrics().emitRecords, 2);
  assert.ok(r.logs.some((e) => e.level === 'error' && /no queued chunks to be dropped/.test(e.msg)));
  await r.handle.flush();
  assert.deepEqual(ns(out.records()), [0, 1]);
  await r.handle.shutdown();
});

// =====================================================================================================================
describe('<secondary>', () => {
  test('an UnrecoverableError from the primary sends the chunk to the secondary at once, without retries', async () => {
    const t0 = 1_700_000_000;
    const clock = new FakeClock(t0);
    const primary = recordingOutput(clock);
    primary.plan = failures(5, () => new UnrecoverableError('400 Bad Request'));
    const secondary = recordingOutput(clock);
    const r = rig({ keys: 'tag', attrs: { flush_mode: 'immediate', retry_randomize: 'false' }, plugin: primary, secondary, clock, root: freshRoot() });
    await r.handle.start();
    await r.handle.emit('a', batchOf([[1, { n: 0 }], [2, { n: 1 }]]));
    await until(() => secondary.delivered.length === 1, 'the secondary write');
    assert.equal(primary.attempts.length, 1);
    assert.equal(primary.delivered.length, 0);
    const [p] = primary.attempts;
    const [s] = secondary.delivered;
    assert.equal(s!.chunkId, p!.chunkId);
    assert.deepEqual(s!.metadata, { timekey: null, tag: 'a', variables: null });
    assert.deepEqual(s!.bytes, p!.bytes);
    assert.equal(s!.at, t0, 'no retry wait');
    const m = r.handle.metrics();
    assert.deepEqual({ retry: m.retryCount, next: m.nextRetryTime, written: m.writtenChunks, dropped: m.droppedChunks }, { retry: 0, next: null, written: 1, dropped: 0 });
    // The next chunk goes to the primary again.
    primary.plan = [];
    await r.handle.emit('a', batchOf([[3, { n: 2 }]]));
    await until(() => primary.delivered.length === 1, 'the next chunk on the primary');
    assert.deepEqual(ns(primary.records()), [2]);
    await r.handle.shutdown();
  });

  test('an UnrecoverableError without a secondary backs the chunk up at once', async () => {
    const t0 = 1_700_000_000;
    const root = freshRoot();
    const clock = new FakeClock(t0);
    const out = recordingOutput(clock);
    out.plan = [new UnrecoverableError('never')];
    const r = rig({ attrs: { flush_mode: 'immediate' }, plugin: out, clock, root, file: true });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[7, { n: 0 }]]));
    const chunkId = r.storage.created[0]!.chunkId;
    await until(() => existsSync(backupPath(root, chunkId)), 'the backup');
    assert.deepEqual(decodeAll(readFileSync(backupPath(root, chunkId))), [[7, { n: 0 }]]);
    assert.equal(out.attempts.length, 1);
    assert.equal(r.handle.metrics().nextRetryTime, null);
    await r.handle.shutdown();
  });

  test('retry_secondary_threshold: the secondary takes over after that fraction of retry_timeout', async () => {
    const t0 = 1_700_000_000;
    const clock = new FakeClock(t0);
    const primary = recordingOutput(clock);
    primary.plan = failures(100);
    const secondary = recordingOutput(clock);
    const r = rig({
      attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_type: 'periodic', retry_wait: '10', retry_timeout: '100', retry_secondary_threshold: '0.5' },
      plugin: primary, secondary, clock, root: freshRoot(),
    });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const t of [10, 20, 30, 40]) await attemptAt(r, primary, clock, t0 + t);
    assert.equal(secondary.attempts.length, 0);
    await attemptAt(r, secondary, clock, t0 + 50);
    await until(() => secondary.delivered.length === 1, 'the secondary write');
    assert.deepEqual(primary.attempts.map((a) => a.at - t0), [0, 10, 20, 30, 40]);
    assert.deepEqual(secondary.attempts.map((a) => a.at - t0), [50]);
    assert.equal(secondary.delivered[0]!.chunkId, primary.attempts[0]!.chunkId);
    assert.deepEqual(ns(secondary.records()), [0]);
    assert.equal(r.handle.metrics().nextRetryTime, null);
    assert.equal(r.handle.metrics().droppedChunks, 0);
    await r.handle.shutdown();
  });

  test('exponential backoff with a secondary: retries are capped at the switch, and the secondary\'s backoff starts again from retry_wait', async () => {
    const t0 = 1_700_000_000;
    const clock = new FakeClock(t0);
    const primary = recordingOutput(clock);
    primary.plan = failures(100);
    const secondary = recordingOutput(clock);
    secondary.plan = failures(2);
    const r = rig({
      attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_wait: '1', retry_timeout: '100', retry_secondary_threshold: '0.5' },
      plugin: primary, secondary, clock, root: freshRoot(),
    });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const t of [1, 3, 7, 15, 31]) await attemptAt(r, primary, clock, t0 + t);
    assert.equal(r.handle.metrics().nextRetryTime, t0 + 50, '31 + 32 is capped at the switch, half of retry_timeout');
    for (const t of [50, 51, 53]) await attemptAt(r, secondary, clock, t0 + t);
    await until(() => secondary.delivered.length === 1, 'the secondary write');
    assert.deepEqual(primary.attempts.map((a) => a.at - t0), [0, 1, 3, 7, 15, 31]);
    assert.deepEqual(secondary.attempts.map((a) => a.at - t0), [50, 51, 53]);
    await r.handle.shutdown();
  });

  test('with retry_max_times the switch comes at the threshold of the total wait those retries take', async () => {
    const t0 = 1_700_000_000;
    const clock = new FakeClock(t0);
    const primary = recordingOutput(clock);
    primary.plan = failures(100);
    const secondary = recordingOutput(clock);
    const r = rig({
      attrs: { flush_mode: 'immediate', retry_randomize: 'false', retry_wait: '1', retry_max_times: '4' },
      plugin: primary, secondary, clock, root: freshRoot(),
    });
    await r.handle.start();
    await r.handle.emit('t', batchOf([[1, { n: 0 }]]));
    await until(() => r.handle.metrics().nextRetryTime !== null, 'the first failure');
    for (const t of [1, 3, 7]) await attemptAt(r, primary, clock, t0 + t);
    // 1 + 2 + 4 + 8 = 15 s of waits for 4 retries; retry_secondary_threshold 0.8 switches at 12 s.
    await attemptAt(r, secondary, clock, t0 + 12);
    await until(() => secondary.delivered.length === 1, 'the secondary write');
    assert.deepEqual(primary.attempts.map((a) => a.at - t0), [0, 1, 3, 7]);
    await r.handle.shutdown();
  });
});

// =====================================================================================================================
describe('file buffer restart', () => {
  const chunkFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith('.meta')).sort() : []);

  test('chunks left by a shutdown without flushing are resumed and written once each', async () => {
    const root = freshRoot();
    const clock = new FakeClock(wallNow());
    const out1 = recordingOutput(clock);
    out1.plan = failures(10);
    const attrs = { chunk_limit_records: '3', retry_randomize: 'false' };
    const r1 = rig({ keys: 'tag', attrs, plugin: out1, clock, root, file: true });
    assert.equal(r1.settings.flushAtShutdown, false, 'file buffers default to flush_at_shutdown false');
    await r1.handle.start();
    await r1.handle.emit('a', batchOf(range(0, 5).map((n) => [100 + n, { n }])));
    await r1.handle.emit('b', batchOf([[200, { n: 5 }], [201, { n: 6 }]]));
    await until(() => r1.handle.metrics().nextRetryTime !== null, 'the full chunk to fail once');
    await r1.handle.shutdown();
    assert.equal(out1.delivered.length, 0);
    const [full, restA, restB] = r1.storage.created;
    assert.deepEqual(chunkFiles(r1.bufferDir), [`buffer.b${restA!.chunkId}.log`, `buffer.b${restB!.chunkId}.log`, `buffer.q${full!.chunkId}.log`].sort());

    const out2 = recordingOutput(clock);
    const r2 = rig({ keys: 'tag', attrs, plugin: out2, clock, root, file: true });
    await r2.handle.start();
    await until(() => out2.delivered.length === 1, 'the queued chunk to be written at start');
    assert.equal(out2.delivered[0]!.chunkId, full!.chunkId);
    assert.ok(r2.logs.some((e) => e.msg === 'resumed buffer chunks left by the previous run' && e.staged === 2 && e.queued === 1));
    assert.equal(r2.handle.metrics().stagedChunks, 2);
    await r2.handle.flush();
    assert.equal(r2.handle.metrics().emitRecords, 0);
    const seen = out2.delivered.flatMap((a) => a.events.map((e) => ({ tag: a.metadata.tag, sec: e.sec, n: e.record.n as number })));
    seen.sort((x, y) => x.n - y.n);
    assert.deepEqual(seen, [
      ...range(0, 5).map((n) => ({ tag: 'a', sec: 100 + n, n })),
      { tag: 'b', sec: 200, n: 5 }, { tag: 'b', sec: 201, n: 6 },
    ]);
    assert.deepEqual(chunkFiles(r2.bufferDir), []);
    await r2.handle.shutdown();
  });

  test('torn or corrupt chunk files are moved aside with a warning; the other chunks are written', async () => {
    const root = freshRoot();
    const clock = new FakeClock(wallNow());
    const out1 = recordingOutput(clock);
    const r1 = rig({ keys: 'tag', plugin: out1, clock, root, file: true });
    await r1.handle.start();
    const tags = ['ok', 'torn', 'tail', 'badmeta', 'nometa', 'emptymeta'];
    for (const [i, tag] of tags.entries()) await r1.handle.emit(tag, batchOf([[i, { n: 2 * i }], [i, { n: 2 * i + 1 }]]));
    await r1.handle.shutdown();
    const file = (tag: string) => path.join(r1.bufferDir, `buffer.b${r1.storage.created.find((c) => c.metadata.tag === tag)!.chunkId}.log`);

    // torn: the body is shorter than its meta vouches (a crash lost acknowledged bytes)
    truncateSync(file('torn'), readFileSync(file('torn')).length - 3);
    const tornBytes = readFileSync(file('torn'));
    // tail: bytes past the meta's bytesize were never acknowledged; they are cut off
    appendFileSync(file('tail'), Buffer.from([0x92, 0xd7, 0x00, 0x01]));
    // badmeta: the meta is garbage
    writeFileSync(`${file('badmeta')}.meta`, Buffer.from([0xc1, 0x00, 0x00, 0x00, 0x00, 0x20, 0xff, 0x13]));
    // nometa: the meta is missing
    unlinkSync(`${file('nometa')}.meta`);
    // emptymeta: a crash between creating the meta and its first write
    writeFileSync(`${file('emptymeta')}.meta`, Buffer.alloc(0));

    const out2 = recordingOutput(clock);
    const r2 = rig({ keys: 'tag', plugin: out2, clock, root, file: true });
    await r2.handle.start();
    assert.equal(r2.handle.metrics().stagedChunks, 2);
    // Appending to the resumed chunk continues right after its acknowledged bytes.
    await r2.handle.emit('tail', batchOf([[9, { n: 100 }]]));
    assert.equal(r2.handle.metrics().stagedChunks, 2, 'appended to the resumed chunk, not a new one');
    await r2.handle.flush();
    assert.deepEqual(out2.delivered.map((a) => a.metadata.tag).sort(), ['ok', 'tail']);
    assert.deepEqual(sortedNs(out2), [0, 1, 4, 5, 100]);
    const tail = out2.delivered.find((a) => a.metadata.tag === 'tail')!;
    assert.deepEqual(decodeAll(tail.bytes), [[2, { n: 4 }], [2, { n: 5 }], [9, { n: 100 }]]);

    const warnings = r2.logs.filter((e) => e.level === 'warn' && /broken chunk/.test(e.msg));
    assert.equal(warnings.length, 4, JSON.stringify(warnings));
    const moved = readdirSync(r2.backupDir).sort();
    for (const tag of ['torn', 'badmeta', 'nometa', 'emptymeta']) {
      const base = path.basename(file(tag));
      assert.ok(moved.includes(`${base}.broken`), `${tag} body moved aside: ${moved.join(', ')}`);
      assert.ok(warnings.some((w) => w.chunk === base), `a warning names ${base}`);
    }
    assert.ok(moved.includes(`${path.basename(file('torn'))}.meta.broken`));
    assert.deepEqual(readFileSync(path.join(r2.backupDir, `${path.basename(file('torn'))}.broken`)), tornBytes);
    assert.deepEqual(chunkFiles(r2.bufferDir), [], 'nothing broken is left to trip the next start');
    await r2.handle.shutdown();
  });
});
