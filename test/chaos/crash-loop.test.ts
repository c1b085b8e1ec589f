/**
 * Crash loop: the reference pipeline (in_tail with pos_file -> nginx -> s3 through a file buffer, flush_interval 1s,
 * s3rver on 127.0.0.1) while a writer appends numbered nginx lines and renames the file away every 1-2 s. The real
 * logferry process is SIGKILLed at random moments, in start-up, catch-up and uploads alike, and started again. At
 * the end every line written must be in the bucket, no chunk may be in two objects, and the lines read twice per
 * crash stay within the documented bound.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { randomMs, sleep, tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, peakRss, startLogferry, withTimeout } from '../helpers/logferry-process.ts';
import { startS3rver, type LocalS3 } from '../helpers/s3rver.ts';
import { countDelivery, FULL, NginxWriter, pipelineConfig } from './chaos-kit.ts';

const RATE = FULL ? 20_000 : 10_000;
const KILLS = FULL ? 50 : 6;
/**
 * The bound on lines read again per crash, in seconds of input: in_tail writes its positions every 100 ms, and a
 * start killed before it has caught up can find what it read unpersisted. The README states the measured figure.
 */
const REREAD_SECONDS_PER_CRASH = 1;

const tmp = tempDir('logferry-chaos-crash-');
let s3: LocalS3 | undefined;
after(async () => {
  killAllLogferry();
  await s3?.stop();
  if (!process.env.CHAOS_KEEP) tmp.cleanup();
});

test(`crash loop: ${KILLS} SIGKILLs at random moments under ${RATE} nginx lines/s with a rename every 1-2 s: nothing lost, no duplicate object`, { timeout: FULL ? 600_000 : 110_000 }, async (t) => {
  s3 = await startS3rver('chaos');
  const dir = tmp.dir;
  mkdirSync(path.join(dir, 'root'), { recursive: true });
  const files = { log: path.join(dir, 'access.log'), pos: path.join(dir, 'access.log.pos'), buffer: path.join(dir, 'buffer'), root: path.join(dir, 'root') };
  const conf = path.join(dir, 'logferry.conf');
  writeFileSync(conf, pipelineConfig({ ...files, endpoint: s3.endpoint, bucket: 'chaos' }));
  // As deployed: logferry tails the log (and has a pos file) before the crashes begin.
  const writer = new NginxWriter(files.log, RATE);
  const first = startLogferry(conf);
  assert.ok(await withTimeout(first.started, 20_000, 'logferry to start'), `logferry exited at start: ${first.log.join('\n')}`);
  await waitUntil(() => existsSync(files.pos), 5000, 'the pos file');
  await kill9(first);
  writer.start();
  let nextRotation = Date.now() + randomMs(1000, 2000);
  const rotator = setInterval(() => {
    if (Date.now() < nextRotation) return;
    writer.rotate();
    nextRotation = Date.now() + randomMs(1000, 2000);
  }, 20);
  let peak = 0;
  const warnings: string[] = [];
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      const child = startLogferry(conf);
      await sleep(randomMs(300, 3000));
      peak = Math.max(peak, peakRss(child));
      await kill9(child);
      warnings.push(...child.log);
    }
  } finally {
    clearInterval(rotator);
    writer.close();
  }

  const last = startLogferry(conf);
  assert.ok(await withTimeout(last.started, 20_000, 'logferry to start'), `logferry exited at start: ${last.log.join('\n')}`);
  let delivery = await countDelivery(s3, 'nginx/', writer.written);
  await waitUntil(async () => (delivery = await countDelivery(s3!, 'nginx/', writer.written)).lost === 0, 60_000, 'every line in the bucket')
    .catch(() => {});
  peak = Math.max(peak, peakRss(last));
  last.proc.kill('SIGTERM');
  assert.equal((await withTimeout(last.exited, 20_000, 'logferry to exit after SIGTERM')).code, 0);
  warnings.push(...last.log);
  delivery = await countDelivery(s3, 'nginx/', writer.written);

  const perCrash = Math.round(delivery.duplicated / KILLS);
  t.diagnostic(`cycles ${KILLS}, lines written ${writer.written}, delivered ${delivery.delivered} in ${delivery.objects} objects, ` +
    `lost ${delivery.lost}, duplicated ${delivery.duplicated} (${perCrash} per crash, ${(perCrash / RATE).toFixed(2)} s of input), ` +
    `duplicate objects ${delivery.duplicateObjects}, rotations ${writer.rotations}, peak RSS ${(peak / 1048576).toFixed(0)} MB`);
  if (delivery.lost > 0) t.diagnostic(`lost: ${delivery.lostRanges}; kept in ${dir}`);
  const distinct = [...new Set(warnings.map((w) => w.replace(/^\S+ \S+ \S+ /, '').slice(0, 160)))].slice(0, 8);
  if (distinct.length > 0) t.diagnostic(`logferry warnings: ${distinct.join(' | ')}`);
  assert.equal(delivery.lost, 0, `lines lost: ${delivery.lostRanges}`);
  assert.equal(delivery.duplicateObjects, 0, 'a chunk was uploaded under two keys');
  assert.ok(perCrash <= REREAD_SECONDS_PER_CRASH * RATE, `${perCrash} lines read again per crash, bound ${REREAD_SECONDS_PER_CRASH * RATE}`);
});
