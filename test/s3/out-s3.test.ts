import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { startFaultProxy, startS3rver, type LocalS3 } from '../helpers/s3rver.ts';

const T = Date.UTC(2011, 0, 2, 13, 14, 15) / 1000; // the reference's worked examples
let s3: LocalS3;
const tmp = tempDir();
const running: RunningEngine[] = [];
before(async () => {
  s3 = await startS3rver('bucket');
});
after(async () => {
  for (const r of running) await r.stop();
  await s3.stop();
  tmp.cleanup();
});

async function s3Engine(match: string, endpoint = s3.endpoint): Promise<RunningEngine> {
  const r = await startEngine(`
<match **>
  @type s3
  @id out
  s3_bucket bucket
  s3_endpoint ${endpoint}
  aws_key_id S3RVER
  aws_sec_key S3RVER
  ${match}
</match>`);
  running.push(r);
  return r;
}

async function emitAndFlush(r: RunningEngine, tag: string, records: Array<Record<string, unknown>>): Promise<void> {
  const batch = new EventBatch();
  for (const record of records) batch.add(T, 0, record);
  await r.engine.emit(undefined, tag, batch);
  await r.engine.flushAll();
}

test('worked example 1: path logs/, default key format, hourly UTC timekey -> logs/2011010213_0.gz, then _1; out_file lines gzipped', async () => {
  const r = await s3Engine(`
  path logs/
  <format>
    @type out_file
    utc true
  </format>
  <buffer time>
    timekey 3600
    timekey_use_utc true
  </buffer>`);
  await emitAndFlush(r, 'test', [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(await s3.listKeys('logs/'), ['logs/2011010213_0.gz']);
  const object = await s3.getObject('logs/2011010213_0.gz');
  assert.equal(object.text, '2011-01-02T13:14:15Z\ttest\t{"a":1}\n2011-01-02T13:14:15Z\ttest\t{"a":2}\n');
  assert.equal(object.contentType, 'application/x-gzip');
  await emitAndFlush(r, 'test', [{ a: 3 }]);
  assert.deepEqual(await s3.listKeys('logs/'), ['logs/2011010213_0.gz', 'logs/2011010213_1.gz']);
});

test('worked examples 3 and 4: ${tag} and strftime in path with <buffer tag,time>; timekey_zone +0900', async () => {
  const r = await s3Engine(`
  path tagged/\${tag}/%Y/%m/%d/
  store_as json
  <format>
    @type json
  </format>
  <buffer tag,time>
    timekey 3600
    timekey_use_utc true
  </buffer>`);
  await emitAndFlush(r, 'app.web', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('tagged/'), ['tagged/app.web/2011/01/02/2011010213_0.json']);
  const object = await s3.getObject('tagged/app.web/2011/01/02/2011010213_0.json');
  assert.equal(object.text, '{"a":1}\n');
  assert.equal(object.contentType, 'application/json');
  const tokyo = await s3Engine(`
  path zoned/
  <buffer time>
    timekey 3600
    timekey_zone +0900
  </buffer>`);
  await emitAndFlush(tokyo, 'x', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('zoned/'), ['zoned/2011010222_0.gz']);
});

test('default buffer (no <buffer>): daily timekey -> %Y%m%d time slice, text objects', async () => {
  const r = await s3Engine(`
  path daily/
  store_as text
  timekey_use_utc true
  <format>
    @type single_value
  </format>`);
  await emitAndFlush(r, 'x', [{ message: 'raw line' }]);
  const keys = await s3.listKeys('daily/');
  assert.equal(keys.length, 1);
  assert.match(keys[0]!, /^daily\/2011010[12]_0\.txt$/);
  assert.equal((await s3.getObject(keys[0]!)).text, 'raw line\n');
});

test('a 500 and a 503 on PUT are retried with the same key: one object, no second copy', async () => {
  const proxy = await startFaultProxy(s3.port);
  try {
    const r = await s3Engine(`
  path retried/
  <buffer time>
    timekey 3600
    timekey_use_utc true
    retry_wait 0.2s
    retry_randomize false
  </buffer>`, proxy.endpoint);
    proxy.failNext('PUT', 500, 1);
    proxy.failNext('PUT', 503, 1);
    const batch = new EventBatch();
    batch.add(T, 0, { a: 1 });
    await r.engine.emit(undefined, 'x', batch);
    void r.engine.flushAll();
    await waitUntil(async () => (await s3.listKeys('retried/')).length > 0, 10_000, 'the retried upload');
    await new Promise((res) => setTimeout(res, 500));
    assert.deepEqual(await s3.listKeys('retried/'), ['retried/2011010213_0.gz']);
    const puts = proxy.requests.filter((q) => q.method === 'PUT');
    assert.deepEqual(puts.map((q) => q.status), [500, 503, 200]);
    assert.equal(new Set(puts.map((q) => q.url)).size, 1, 'every attempt used the same key');
    assert.ok(r.logs.some((l) => /failed to flush the buffer/.test(l.msg)));
  } finally {
    await proxy.stop();
  }
});

test('a chunk above 5 MiB goes up as a multipart upload and arrives whole', async () => {
  const r = await s3Engine(`
  path big/
  <format>
    @type single_value
  </format>
  <buffer time>
    timekey 3600
    timekey_use_utc true
    chunk_limit_size 64m
  </buffer>`);
  const line = 'x'.repeat(199);
  const batch = new EventBatch();
  for (let i = 0; i < 40_000; i++) batch.add(T, 0, { message: `${i} ${line}` });
  await r.engine.emit(undefined, 'x', batch);
  await r.engine.flushAll();
  const keys = await s3.listKeys('big/');
  assert.equal(keys.length, 1);
  const lines = (await s3.getObject(keys[0]!)).text.trim().split('\n');
  assert.equal(lines.length, 40_000);
  assert.equal(lines[39_999], `39999 ${line}`);
});
