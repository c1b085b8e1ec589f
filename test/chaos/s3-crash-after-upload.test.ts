/**
 * fluent-plugin-s3#98/#99: a chunk that was uploaded, but whose process died before it was purged, must go up again
 * under the key it was first given, overwriting its own object, not as a second %{index}. A proxy holds S3's 200 back
 * so the kill lands exactly there; the real logferry process is SIGKILLed and started again.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, startLogferry, withTimeout } from '../helpers/logferry-process.ts';
import { startFaultProxy, startS3rver, type FaultProxy, type LocalS3 } from '../helpers/s3rver.ts';
import { countDelivery, NginxWriter, pipelineConfig } from './chaos-kit.ts';

const tmp = tempDir('logferry-chaos-s3key-');
let s3: LocalS3 | undefined;
let proxy: FaultProxy | undefined;
after(async () => {
  killAllLogferry();
  await proxy?.stop();
  await s3?.stop();
  tmp.cleanup();
});

test('killed after the upload and before the purge: the restart writes the same key again, one object, no second index', { timeout: 60_000 }, async () => {
  s3 = await startS3rver('keys');
  proxy = await startFaultProxy(s3.port);
  const dir = tmp.dir;
  mkdirSync(path.join(dir, 'root'));
  const files = { log: path.join(dir, 'access.log'), pos: path.join(dir, 'access.log.pos'), buffer: path.join(dir, 'buffer'), root: path.join(dir, 'root') };
  const conf = path.join(dir, 'logferry.conf');
  writeFileSync(conf, pipelineConfig({ ...files, endpoint: proxy.endpoint, bucket: 'keys' }));
  const writer = new NginxWriter(files.log, 0);
  writer.append(500);

  proxy.failNext('PUT', 'hold');
  const first = startLogferry(conf);
  assert.ok(await withTimeout(first.started, 20_000, 'logferry to start'), first.log.join('\n'));
  await waitUntil(() => proxy!.requests.some((q) => q.method === 'PUT' && q.status === 'held'), 15_000, 'the upload whose answer is held');
  await waitUntil(async () => (await s3!.listKeys('nginx/')).length === 1, 5000, 'the object stored by S3');
  await kill9(first);
  assert.equal(readdirSync(files.buffer).filter((f) => /\.q[0-9a-f]{32}\.log$/.test(f)).length, 1, 'the uploaded chunk is still queued on disk');

  const second = startLogferry(conf);
  assert.ok(await withTimeout(second.started, 20_000, 'logferry to start again'), second.log.join('\n'));
  await waitUntil(() => readdirSync(files.buffer).length === 0, 15_000, 'the chunk purged after its second upload');
  second.proc.kill('SIGTERM');
  assert.equal((await withTimeout(second.exited, 15_000, 'logferry to exit')).code, 0);
  writer.close();

  const puts = proxy.requests.filter((q) => q.method === 'PUT');
  assert.equal(puts.length, 2, `two uploads: ${JSON.stringify(puts)}`);
  assert.equal(puts[0]!.url, puts[1]!.url, 'the restart uploaded under the first key');
  const keys = await s3.listKeys('nginx/');
  assert.equal(keys.length, 1, `one object: ${keys.join(' ')}`);
  assert.match(keys[0]!, /_0\.gz$/);
  const delivery = await countDelivery(s3, 'nginx/', writer.written);
  assert.deepEqual({ lost: delivery.lost, duplicated: delivery.duplicated }, { lost: 0, duplicated: 0 });
});
