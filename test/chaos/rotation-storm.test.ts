/**
 * Rotation storm: the reference pipeline while the log is renamed away every 100 ms, copytruncated now and then,
 * and rotated several times more while logferry is down after a SIGKILL. Every line written must reach the bucket.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { randomMs, sleep, tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, peakRss, startLogferry, withTimeout } from '../helpers/logferry-process.ts';
import { startS3rver, type LocalS3 } from '../helpers/s3rver.ts';
import { countDelivery, FULL, NginxWriter, pipelineConfig } from './chaos-kit.ts';

const RATE = 10_000;
const STORM_MS = FULL ? 30_000 : 6000;

const tmp = tempDir('logferry-chaos-storm-');
let s3: LocalS3 | undefined;
after(async () => {
  killAllLogferry();
  await s3?.stop();
  if (!process.env.CHAOS_KEEP) tmp.cleanup();
});

test(`rotation storm: a rename every 100 ms and a copytruncate every second for ${STORM_MS / 1000} s, a SIGKILL inside it and rotations while down: nothing lost`, { timeout: FULL ? 300_000 : 90_000 }, async (t) => {
  s3 = await startS3rver('storm');
  const dir = tmp.dir;
  mkdirSync(path.join(dir, 'root'));
  const files = { log: path.join(dir, 'access.log'), pos: path.join(dir, 'access.log.pos'), buffer: path.join(dir, 'buffer'), root: path.join(dir, 'root') };
  const conf = path.join(dir, 'logferry.conf');
  writeFileSync(conf, pipelineConfig({ ...files, endpoint: s3.endpoint, bucket: 'storm' }));
  const writer = new NginxWriter(files.log, RATE);
  let child = startLogferry(conf);
  assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), child.log.join('\n'));
  await waitUntil(() => existsSync(files.pos), 5000, 'the pos file');
  writer.start();
  let ticks = 0;
  const rotateOnce = () => (++ticks % 10 === 0 ? writer.copytruncate() : writer.rotate());
  const storm = setInterval(rotateOnce, 100);
  const warnings: string[] = [];
  const outputs: string[] = [];
  let peak = 0;
  try {
    await sleep(randomMs(STORM_MS / 3, (2 * STORM_MS) / 3));
    peak = peakRss(child);
    await kill9(child);
    outputs.push(child.output());
    warnings.push(...child.log);
    clearInterval(storm);
    for (let i = 0; i < 3; i++) {
      await sleep(150);
      writer.rotate(); // while nothing tails
    }
    child = startLogferry(conf);
    assert.ok(await withTimeout(child.started, 20_000, 'logferry to start again'), child.log.join('\n'));
    const rest = setInterval(rotateOnce, 100);
    await sleep(STORM_MS / 3);
    clearInterval(rest);
  } finally {
    clearInterval(storm);
    writer.close();
  }
  let delivery = await countDelivery(s3, 'nginx/', writer.written);
  await waitUntil(async () => (delivery = await countDelivery(s3!, 'nginx/', writer.written)).lost === 0, 30_000, 'every line in the bucket').catch(() => {});
  peak = Math.max(peak, peakRss(child));
  child.proc.kill('SIGTERM');
  assert.equal((await withTimeout(child.exited, 20_000, 'logferry to exit after SIGTERM')).code, 0);
  warnings.push(...child.log);
  delivery = await countDelivery(s3, 'nginx/', writer.written);
  t.diagnostic(`rotations ${writer.rotations}, lines written ${writer.written}, delivered ${delivery.delivered} in ${delivery.objects} objects, ` +
    `lost ${delivery.lost}, duplicated ${delivery.duplicated}, duplicate objects ${delivery.duplicateObjects}, peak RSS ${(peak / 1048576).toFixed(0)} MB`);
  if (delivery.lost > 0) t.diagnostic(`lost: ${delivery.lostRanges}`);
  if (process.env.CHAOS_KEEP) writeFileSync(path.join(dir, 'logferry.out'), outputs.join('\n====\n') + child.output());
  const distinct = [...new Set(warnings.map((w) => w.replace(/^\S+ \S+ \S+ /, '').slice(0, 160)))].slice(0, 8);
  if (distinct.length > 0) t.diagnostic(`logferry warnings: ${distinct.join(' | ')}`);
  assert.equal(delivery.lost, 0, `lines lost: ${delivery.lostRanges}`);
  assert.equal(delivery.duplicateObjects, 0, 'a chunk was uploaded under two keys');
});
