/**
 * S3 outages, with the reference pipeline tailing a log that keeps growing:
 * - s3rver stopped (60 s in the full run), then a stretch of 500 and 503 SlowDown answers from a proxy: nothing
 *   lost, no chunk in two objects, and the waits between failed attempts are the configured retry schedule;
 * - total_limit_size reached while S3 is down: tailing pauses (the lines wait in the log file), the process's memory
 *   stays flat, and everything is delivered once S3 is back.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { sleep, tempDir, waitUntil } from '../helpers/harness.ts';
import { currentRss, killAllLogferry, startLogferry, withTimeout, type LogferryProcess } from '../helpers/logferry-process.ts';
import { startFaultProxy, startS3rver, type FaultProxy, type LocalS3 } from '../helpers/s3rver.ts';
import { countDelivery, FULL, NginxWriter, pipelineConfig } from './chaos-kit.ts';

const OUTAGE_MS = FULL ? 60_000 : 8000;
const RATE = 5000;

const tmp = tempDir('logferry-chaos-outage-');
const servers: Array<LocalS3 | FaultProxy> = [];
after(async () => {
  killAllLogferry();
  for (const s of servers.reverse()) await s.stop();
  tmp.cleanup();
});

async function setUp(name: string, extraBuffer: string): Promise<{ s3: LocalS3; proxy: FaultProxy; writer: NginxWriter; child: LogferryProcess }> {
  const s3 = await startS3rver(name);
  const proxy = await startFaultProxy(s3.port);
  servers.push(s3, proxy);
  const dir = path.join(tmp.dir, name);
  mkdirSync(path.join(dir, 'root'), { recursive: true });
  const files = { log: path.join(dir, 'access.log'), pos: path.join(dir, 'access.log.pos'), buffer: path.join(dir, 'buffer'), root: path.join(dir, 'root') };
  const conf = path.join(dir, 'logferry.conf');
  writeFileSync(conf, pipelineConfig({ ...files, endpoint: proxy.endpoint, bucket: name, extraBuffer }));
  const writer = new NginxWriter(files.log, RATE);
  const child = startLogferry(conf);
  assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), child.log.join('\n'));
  writer.start();
  return { s3, proxy, writer, child };
}

async function finish(s3: LocalS3, writer: NginxWriter, child: LogferryProcess, prefix = 'nginx/') {
  writer.close();
  let delivery = await countDelivery(s3, prefix, writer.written);
  await waitUntil(async () => (delivery = await countDelivery(s3, prefix, writer.written)).lost === 0, 60_000, 'every line in the bucket').catch(() => {});
  child.proc.kill('SIGTERM');
  assert.equal((await withTimeout(child.exited, 20_000, 'logferry to exit')).code, 0);
  return countDelivery(s3, prefix, writer.written);
}

test(`S3 down for ${OUTAGE_MS / 1000} s, then 500 and 503 SlowDown answers: nothing lost, no duplicate object, retries on the configured schedule`, { timeout: FULL ? 240_000 : 90_000 }, async (t) => {
  const { s3, proxy, writer, child } = await setUp('outage', 'retry_randomize false');
  await sleep(2000);
  await s3.pause();
  const downAt = Date.now();
  await sleep(OUTAGE_MS);
  await s3.start();
  proxy.failNext('PUT', 500, 3);
  proxy.failNext('PUT', 503, 3);
  await waitUntil(() => proxy.requests.filter((q) => q.status === 500 || q.status === 503).length === 6, 30_000, 'the six injected failures');
  await sleep(2000);
  const delivery = await finish(s3, writer, child);

  // The outage's failed attempts: waits of retry_wait 0.5 s doubling per retry, capped at retry_max_interval 2 s.
  const failures = proxy.requests.filter((q) => q.status === 'unreachable' && q.at >= downAt).map((q) => q.at);
  const gaps = failures.slice(1).map((at, i) => (at - failures[i]!) / 1000);
  const expected = gaps.map((_, i) => Math.min(0.5 * 2 ** i, 2));
  t.diagnostic(`lines written ${writer.written}, delivered ${delivery.delivered} in ${delivery.objects} objects, lost ${delivery.lost}, ` +
    `duplicated ${delivery.duplicated}, duplicate objects ${delivery.duplicateObjects}; retry gaps during the outage (s): ${gaps.map((g) => g.toFixed(2)).join(' ')}`);
  assert.equal(delivery.lost, 0, `lines lost: ${delivery.lostRanges}`);
  assert.equal(delivery.duplicateObjects, 0, 'a chunk was uploaded under two keys');
  assert.ok(gaps.length >= 3, `failed attempts during the outage: ${failures.length}`);
  // Each wait is the schedule's, give or take the flush thread's polling.
  for (let i = 0; i < gaps.length; i++) {
    assert.ok(gaps[i]! >= expected[i]! - 0.1 && gaps[i]! <= expected[i]! + 0.6, `retry ${i + 1} came after ${gaps[i]!.toFixed(2)} s, the schedule says ${expected[i]} s`);
  }
});

test('total_limit_size reached while S3 is down: tailing pauses, memory stays flat, everything is delivered after S3 returns', { timeout: FULL ? 240_000 : 90_000 }, async (t) => {
  const { s3, writer, child } = await setUp('full', 'total_limit_size 2m\n    chunk_limit_size 256k');
  await sleep(1000);
  await s3.pause();
  // Fill the buffer: its 2 MB take well under the outage at this rate.
  await waitUntil(() => child.log.some((l) => /BufferOverflowError|buffer space has too many data|emit transaction failed/.test(l)), 30_000, 'the buffer to refuse');
  const samples: number[] = [];
  const until = Date.now() + OUTAGE_MS;
  while (Date.now() < until) {
    samples.push(currentRss(child));
    await sleep(250);
  }
  await s3.start();
  const delivery = await finish(s3, writer, child);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  t.diagnostic(`lines written ${writer.written}, delivered ${delivery.delivered}, lost ${delivery.lost}, duplicated ${delivery.duplicated}; ` +
    `RSS while full ${(min / 1048576).toFixed(0)}-${(max / 1048576).toFixed(0)} MB over ${samples.length} samples`);
  assert.equal(delivery.lost, 0, `lines lost: ${delivery.lostRanges}`);
  assert.ok(max - min < 40 * 1048576, `RSS grew from ${(min / 1048576).toFixed(0)} to ${(max / 1048576).toFixed(0)} MB while the buffer was full`);
});
