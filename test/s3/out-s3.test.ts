import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { after, before, test } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { freePort, startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { startFaultProxy, startS3rver, type LocalS3 } from '../helpers/s3rver.ts';

const T = Date.UTC(2011, 0, 2, 13, 14, 15) / 1000; // the event time of the reference's worked examples
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

async function s3Engine(match: string, o: { endpoint?: string; keys?: boolean } = {}): Promise<RunningEngine> {
  const r = await startEngine(`
<match **>
  @type s3
  @id out
  s3_bucket bucket
  s3_endpoint ${o.endpoint ?? s3.endpoint}
  ${o.keys === false ? '' : 'aws_key_id S3RVER\n  aws_sec_key S3RVER'}
  ${match}
</match>`);
  running.push(r);
  return r;
}

async function emit(r: RunningEngine, tag: string, records: Array<Record<string, unknown>>, time = T): Promise<void> {
  const batch = new EventBatch();
  for (const record of records) batch.add(time, 0, record);
  await r.engine.emit(undefined, tag, batch);
}

async function emitAndFlush(r: RunningEngine, tag: string, records: Array<Record<string, unknown>>): Promise<void> {
  await emit(r, tag, records);
  await r.engine.flushAll();
}

const HOURLY_UTC = '<buffer time>\n    timekey 3600\n    timekey_use_utc true\n    flush_thread_interval 0.05\n    retry_wait 0.1\n    retry_randomize false\n  </buffer>';

test('worked example 1: logs/2011010213_0.gz then _1; out_file lines gzipped as application/x-gzip', async () => {
  const r = await s3Engine(`path logs/\n  <format>\n    @type out_file\n    utc true\n  </format>\n  ${HOURLY_UTC}`);
  await emitAndFlush(r, 'test', [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(await s3.listKeys('logs/'), ['logs/2011010213_0.gz']);
  const object = await s3.getObject('logs/2011010213_0.gz');
  assert.equal(object.text, '2011-01-02T13:14:15Z\ttest\t{"a":1}\n2011-01-02T13:14:15Z\ttest\t{"a":2}\n');
  assert.equal(object.contentType, 'application/x-gzip');
  assert.deepEqual([...object.body.subarray(0, 2)], [0x1f, 0x8b]);
  assert.ok(r.logs.some((l) => l.level === 'info' && l.msg === 'out_s3: uploaded s3://bucket/logs/2011010213_0.gz' && l.records === 2), 'the upload is logged at info');
  await emitAndFlush(r, 'test', [{ a: 3 }]);
  assert.deepEqual(await s3.listKeys('logs/'), ['logs/2011010213_0.gz', 'logs/2011010213_1.gz']);
});

test("the plugin's own test config, verbatim (utc, buffer_type memory, time_slice_format, %{hostname}): key and body", async () => {
  const r = await s3Engine(`
  s3_object_key_format %{path}/events/ts=%{time_slice}/events_%{index}-%{hostname}.%{file_extension}
  time_slice_format %Y%m%d-%H
  path log
  utc
  buffer_type memory
  check_bucket true
  check_object true`);
  await emitAndFlush(r, 'test', [{ a: 1 }, { a: 2 }]);
  const key = `log/events/ts=20110102-13/events_0-${hostname()}.gz`;
  assert.deepEqual(await s3.listKeys('log/'), [key]);
  const object = await s3.getObject(key);
  assert.equal(object.text, '2011-01-02T13:14:15Z\ttest\t{"a":1}\n2011-01-02T13:14:15Z\ttest\t{"a":2}\n');
  assert.equal(object.contentType, 'application/x-gzip');
  assert.ok(r.logs.some((l) => l.level === 'warn' && /%\{hostname\} will be removed/.test(l.msg)));
});

test('worked example 2: default buffer (daily timekey); with _0 and _1 present the object is _2', async () => {
  for (const i of [0, 1]) await s3.client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `daily/20110102_${i}.gz`, Body: 'x' }));
  const r = await s3Engine('path daily/\n  <buffer>\n    timekey_use_utc true\n  </buffer>');
  await emitAndFlush(r, 'test', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('daily/'), ['daily/20110102_0.gz', 'daily/20110102_1.gz', 'daily/20110102_2.gz']);
  assert.ok(r.logs.some((l) => /default value of s3_object_key_format will use \$\{chunk_id\}/.test(l.msg)));
});

test('worked examples 3 and 4: ${tag} and strftime in path with <buffer tag,time>; timekey_zone +0900', async () => {
  const r = await s3Engine(`path tagged/\${tag}/%Y/%m/%d/\n  store_as json\n  <format>\n    @type json\n  </format>\n  <buffer tag,time>\n    timekey 3600\n    timekey_use_utc true\n  </buffer>`);
  await emitAndFlush(r, 'app.web', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('tagged/'), ['tagged/app.web/2011/01/02/2011010213_0.json']);
  const object = await s3.getObject('tagged/app.web/2011/01/02/2011010213_0.json');
  assert.equal(object.body.toString(), '{"a":1}\n');
  assert.equal(object.contentType, 'application/json');
  const tokyo = await s3Engine('path zoned/\n  <buffer time>\n    timekey 3600\n    timekey_zone +0900\n  </buffer>');
  await emitAndFlush(tokyo, 'x', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('zoned/'), ['zoned/2011010222_0.gz']);
});

test('gzip JSON lines and plain text objects decode record for record', async () => {
  const records = Array.from({ length: 500 }, (_, i) => ({ i, message: `line ${i} ${'é'.repeat(i % 7)}`, nested: { ok: i % 2 === 0 } }));
  const gz = await s3Engine(`path records-gz/\n  <format>\n    @type json\n  </format>\n  ${HOURLY_UTC}`);
  await emitAndFlush(gz, 'x', records);
  const txt = await s3Engine(`path records-txt/\n  store_as text\n  <format>\n    @type single_value\n  </format>\n  ${HOURLY_UTC}`);
  await emitAndFlush(txt, 'x', records);
  const [gzKey] = await s3.listKeys('records-gz/');
  assert.deepEqual((await s3.getObject(gzKey!)).text.trimEnd().split('\n').map((l) => JSON.parse(l)), records);
  const [txtKey] = await s3.listKeys('records-txt/');
  assert.equal(txtKey, 'records-txt/2011010213_0.txt');
  const text = await s3.getObject(txtKey!);
  assert.equal(text.contentType, 'text/plain');
  assert.deepEqual(text.body.toString('utf8').trimEnd().split('\n'), records.map((r) => r.message));
});

test('s3_metadata with placeholders and %{index}; storage class and tagging accepted by the server', async () => {
  for (const i of [0]) await s3.client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `meta/2011010213_${i}.gz`, Body: 'x' }));
  const r = await s3Engine(`path meta/\n  s3_metadata {"source":"\${tag}","n":"%{index}","odd":"%{nope}x"}\n  tagging team=ops\n  <buffer tag,time>\n    timekey 3600\n    timekey_use_utc true\n  </buffer>`);
  await emitAndFlush(r, 'app', [{ a: 1 }]);
  assert.deepEqual((await s3.getObject('meta/2011010213_1.gz')).metadata, { source: 'app', n: '1', odd: 'x' });
});

test('a chunk above 5 MiB goes up as a streamed multipart upload and arrives whole', async () => {
  const proxy = await startFaultProxy(s3.port);
  try {
    const r = await s3Engine(`path big/\n  <format>\n    @type single_value\n  </format>\n  <buffer time>\n    timekey 3600\n    timekey_use_utc true\n    chunk_limit_size 64m\n  </buffer>`, { endpoint: proxy.endpoint });
    // Random base64 barely compresses, so the gzip stream itself is over one 5 MiB part.
    const lines = Array.from({ length: 60_000 }, (_, i) => `${i} ${randomBytes(150).toString('base64')}`);
    await emitAndFlush(r, 'x', lines.map((message) => ({ message })));
    const [object] = await s3.listObjects('big/');
    assert.equal(object!.key, 'big/2011010213_0.gz');
    assert.ok(object!.size > 5 * 1024 * 1024, `gzip size ${object!.size}`);
    assert.deepEqual((await s3.getObject(object!.key)).text.trimEnd().split('\n'), lines);
    assert.equal(proxy.requests.filter((q) => q.method === 'POST' && q.url.includes('uploads')).length, 1, 'one CreateMultipartUpload');
    assert.ok(proxy.requests.filter((q) => q.method === 'PUT' && q.url.includes('partNumber=')).length >= 2, 'two parts or more');
  } finally {
    await proxy.stop();
  }
});

test('500, 503 SlowDown and a PUT that was stored but answered 500: retried with the same key, one object', async () => {
  const proxy = await startFaultProxy(s3.port);
  try {
    const r = await s3Engine(`path retried/\n  ${HOURLY_UTC}`, { endpoint: proxy.endpoint });
    proxy.failNext('PUT', 500);
    proxy.failNext('PUT', 503);
    proxy.failNext('PUT', 'after-500');
    await emit(r, 'x', [{ a: 1 }]);
    void r.engine.flushAll();
    await waitUntil(() => proxy.requests.filter((q) => q.method === 'PUT').length >= 4, 10_000, 'four PUT attempts');
    await r.engine.flushAll();
    const puts = proxy.requests.filter((q) => q.method === 'PUT');
    assert.deepEqual(puts.map((q) => q.status), [500, 503, 500, 200]);
    assert.equal(new Set(puts.map((q) => q.url)).size, 1, 'every attempt used the same key');
    assert.deepEqual(await s3.listKeys('retried/'), ['retried/2011010213_0.gz']);
    const failures = r.logs.filter((l) => /failed to flush the buffer/.test(l.msg)).map((l) => (l.err as { message: string }).message);
    assert.match(failures[0]!, /S3 server error InternalError \(HTTP 500\)/);
    assert.match(failures[1]!, /S3 is throttling \(SlowDown \(HTTP 503\)\)/);
    // The next chunk of the same hour goes to the next index, not over the retried one.
    await emitAndFlush(r, 'x', [{ a: 2 }]);
    assert.deepEqual(await s3.listKeys('retried/'), ['retried/2011010213_0.gz', 'retried/2011010213_1.gz']);
  } finally {
    await proxy.stop();
  }
});

test('%{index} probing resumes after the last index used for the prefix: one HEAD per flush', async () => {
  const proxy = await startFaultProxy(s3.port);
  try {
    const r = await s3Engine(`path probe/\n  ${HOURLY_UTC}`, { endpoint: proxy.endpoint });
    for (let i = 0; i < 4; i++) await emitAndFlush(r, 'x', [{ i }]);
    assert.deepEqual(await s3.listKeys('probe/'), [0, 1, 2, 3].map((i) => `probe/2011010213_${i}.gz`));
    assert.equal(proxy.requests.filter((q) => q.method === 'HEAD' && q.url.includes('/probe/')).length, 4);
  } finally {
    await proxy.stop();
  }
});

test('a HEAD answered 403 gives one error naming s3:GetObject and check_object false; the chunk waits and then goes up', async () => {
  const proxy = await startFaultProxy(s3.port);
  try {
    const r = await s3Engine(`path denied/\n  ${HOURLY_UTC}`, { endpoint: proxy.endpoint });
    proxy.failNext('HEAD', 403, 1, '/denied/');
    await emit(r, 'x', [{ a: 1 }]);
    await r.engine.flushAll();
    const failure = r.logs.find((l) => /failed to flush the buffer/.test(l.msg));
    assert.match((failure!.err as { message: string }).message, /\(403\): check_object needs the s3:GetObject permission.*set check_object false/);
    assert.deepEqual(await s3.listKeys('denied/'), ['denied/2011010213_0.gz']);
  } finally {
    await proxy.stop();
  }
});

test('S3 stopped mid-run (and a connection dropped mid-body): the chunk is retried with its key once S3 is back, no duplicate', async () => {
  const proxy = await startFaultProxy(s3.port);
  const r = await s3Engine(`path outage/\n  ${HOURLY_UTC}`, { endpoint: proxy.endpoint });
  try {
    proxy.failNext('PUT', 'reset');
    await emit(r, 'x', [{ a: 1 }]);
    void r.engine.flushAll();
    await waitUntil(() => proxy.requests.some((q) => q.status === 'reset'), 5000, 'the dropped PUT');
    await s3.pause();
    await waitUntil(() => r.logs.filter((l) => /failed to flush the buffer/.test(l.msg)).length >= 2, 5000, 'failures while S3 is down');
    await s3.start();
    await waitUntil(async () => (await s3.listKeys('outage/')).length > 0, 10_000, 'the object after S3 is back');
    await r.engine.flushAll();
    assert.deepEqual(await s3.listKeys('outage/'), ['outage/2011010213_0.gz']);
    assert.match((await s3.getObject('outage/2011010213_0.gz')).text, /^2011-01-0[12]T\d\d:\d\d:15[-+:Z0-9]*\tx\t\{"a":1\}\n$/);
    const messages = r.logs.filter((l) => /failed to flush the buffer/.test(l.msg)).map((l) => (l.err as { message: string }).message);
    assert.ok(messages.some((m) => /(network error talking to S3 \((ECONNRESET|EPIPE)\)|S3 endpoint unreachable \(ECONNREFUSED\))/.test(m)), messages.join('\n'));
  } finally {
    await s3.start().catch(() => undefined);
    await proxy.stop();
  }
});

test('credentials: wrong keys are a clear retryable error; aws_credential_process and <shared_credentials> work', async () => {
  const bad = await s3Engine(`path creds-bad/\n  aws_key_id WRONG\n  aws_sec_key WRONG\n  check_apikey_on_start false\n  check_object false\n  s3_object_key_format %{path}%{time_slice}_%{hex_random}.%{file_extension}\n  ${HOURLY_UTC}`, { keys: false });
  await emit(bad, 'x', [{ a: 1 }]);
  void bad.engine.flushAll();
  await waitUntil(() => bad.logs.some((l) => /failed to flush the buffer/.test(l.msg)), 5000, 'the rejected upload');
  const failure = bad.logs.find((l) => /failed to flush the buffer/.test(l.msg))!;
  assert.match((failure.err as { message: string }).message, /credentials rejected \((InvalidAccessKeyId|SignatureDoesNotMatch)\) \(HTTP 403\).*check aws_key_id\/aws_sec_key/);
  assert.ok(!bad.logs.some((l) => /unrecoverable/.test(l.msg)), 'wrong credentials are retried, not dropped');

  const json = JSON.stringify({ Version: 1, AccessKeyId: 'S3RVER', SecretAccessKey: 'S3RVER' });
  const viaProcess = await s3Engine(`path creds-process/\n  aws_credential_process ${process.execPath} -e "process.stdout.write('${json.replaceAll('"', '\\"')}')"\n  ${HOURLY_UTC}`, { keys: false });
  await emitAndFlush(viaProcess, 'x', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('creds-process/'), ['creds-process/2011010213_0.gz']);
  assert.ok(viaProcess.logs.some((l) => /using credentials from aws_credential_process/.test(l.msg)));

  const file = path.join(tmp.dir, 'credentials');
  writeFileSync(file, '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n[logferry]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
  const shared = await s3Engine(`path creds-shared/\n  <shared_credentials>\n    path ${file}\n    profile_name logferry\n  </shared_credentials>\n  ${HOURLY_UTC}`, { keys: false });
  await emitAndFlush(shared, 'x', [{ a: 1 }]);
  assert.deepEqual(await s3.listKeys('creds-shared/'), ['creds-shared/2011010213_0.gz']);
});

test('a failed start check says what happened, and blames the credentials only when the server refused them', async () => {
  const startError = async (path: string, o: { endpoint?: string; keys?: boolean }, extra = '') => {
    const r = await s3Engine(`path ${path}\n  ${extra}`, o);
    await waitUntil(() => r.logs.some((l) => l.level === 'error' && /^out_s3:/.test(l.msg)), 5000, 'the start check\'s error');
    return r.logs.find((l) => l.level === 'error' && /^out_s3:/.test(l.msg))!.msg;
  };
  const refused = await freePort(); // nothing listens there: the connection is refused
  const unreachable = await startError('start-refused/', { endpoint: `http://127.0.0.1:${refused}` });
  assert.match(unreachable, /S3 endpoint unreachable \(ECONNREFUSED\)/);
  assert.doesNotMatch(unreachable, /credentials/);
  const proxy = await startFaultProxy(s3.port);
  try {
    proxy.failNext('GET', 500);
    const serverError = await startError('start-500/', { endpoint: proxy.endpoint });
    assert.match(serverError, /S3 server error InternalError \(HTTP 500\)/);
    assert.doesNotMatch(serverError, /credentials/);
  } finally {
    await proxy.stop();
  }
  const rejected = await startError('start-creds/', { keys: false }, 'aws_key_id WRONG\n  aws_sec_key WRONG');
  assert.match(rejected, /can't call S3 API: credentials rejected \((InvalidAccessKeyId|SignatureDoesNotMatch)\) \(HTTP 403\)/);
});

test('config errors name the parameter: an empty s3_region, store_as lzo, proxy_uri, index_format, hex_random_length, an AWS s3_endpoint', async () => {
  const cases: Array<[string, RegExp]> = [
    ['s3_region ""', /parameter 's3_region': s3_region is empty: .*AWS_REGION/],
    ['store_as lzo', /parameter 'store_as': store_as lzo is not supported by logferry \(needs the lzop program\)/],
    ['proxy_uri http://proxy:3128', /parameter 'proxy_uri': is not supported by logferry/],
    ['index_format %5d', /parameter 'index_format': index_format parameter should follow/],
    ['hex_random_length 17', /parameter 'hex_random_length': hex_random_length parameter must be less than or equal to 16/],
    ['s3_object_key_format %{path}%{uuid}.gz', /%\{uuid\} placeholder in s3_object_key_format is removed/],
    ['<bucket_lifecycle_rule>\n id a\n expiration_days 1\n</bucket_lifecycle_rule>', /<bucket_lifecycle_rule> is not supported by logferry/],
  ];
  for (const [line, expected] of cases) await assert.rejects(s3Engine(line), expected, line);
  await assert.rejects(startEngine('<match **>\n  @type s3\n  s3_bucket b\n  s3_endpoint https://s3.us-east-1.amazonaws.com\n</match>'), /s3_endpoint parameter is not supported for S3, use s3_region instead/);
});
