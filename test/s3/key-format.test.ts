import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { extractPlaceholders } from '../../src/buffer/placeholders.ts';
import { UnrecoverableError } from '../../src/plugin-api/index.ts';
import { KeyChooser } from '../../src/s3/key-chooser.ts';
import { compileKeyFormat, formatIndex, timeSliceFormatFor, type KeyFormatOptions } from '../../src/s3/key-format.ts';
import { compileStrftime } from '../../src/time/strftime.ts';
import { resolveZone } from '../../src/time/zone.ts';
import { testChunk } from './test-chunk.ts';

const HOUR = Date.UTC(2011, 0, 2, 13) / 1000; // the timekey of 2011-01-02T13:14:15Z with timekey 3600

function keyFormat(o: Partial<KeyFormatOptions> & { chunkKeys?: string[]; sliceFormat?: string; zone?: string }) {
  const warnings: string[] = [];
  const slice = compileStrftime(o.sliceFormat ?? '%Y%m%d%H', resolveZone(o.zone ?? '+0000'));
  const settings = { chunkKeys: o.chunkKeys ?? ['time'], timekeyZone: o.zone ?? '+0000' };
  const format = compileKeyFormat({
    format: '%{path}%{time_slice}_%{index}.%{file_extension}', formatGiven: true, checkObject: true, path: '', extension: 'gz',
    indexFormat: '%d', hexRandomLength: 4,
    timeSlice: (chunk) => (chunk.metadata.timekey === null ? '' : slice(chunk.metadata.timekey, 0)),
    extractPlaceholders: (template, chunk) => extractPlaceholders(template, chunk, settings),
    warn: (m) => warnings.push(m),
    configError: (m) => new Error(m),
    ...o,
  });
  return { format, warnings };
}

test('index_format is Ruby sprintf for %d, %0Nd, %x, %X, negative numbers included', () => {
  assert.deepEqual(
    [formatIndex('%d', 12), formatIndex('%03d', 7), formatIndex('%x', 255), formatIndex('%04X', 255), formatIndex('%d', -1), formatIndex('%03d', -1), formatIndex('%0d', 5)],
    ['12', '007', 'ff', '00FF', '-1', '-01', '5'],
  );
});

test('time_slice_format derived from timekey as timekey_to_timeformat', () => {
  assert.deepEqual([59, 60, 3599, 3600, 86399, 86400, 604800].map(timeSliceFormatFor),
    ['%Y%m%d%H%M%S', '%Y%m%d%H%M', '%Y%m%d%H%M', '%Y%m%d%H', '%Y%m%d%H', '%Y%m%d', '%Y%m%d']);
  assert.equal(timeSliceFormatFor(null), '');
});

test("the plugin's test key format: %{hostname} resolved at configure time (with a warning), time_slice_format %Y%m%d-%H", () => {
  const { format, warnings } = keyFormat({ format: '%{path}/events/ts=%{time_slice}/events_%{index}-%{hostname}.%{file_extension}', path: 'log', sliceFormat: '%Y%m%d-%H' });
  const c = format.candidates(testChunk('', { timekey: HOUR }));
  assert.equal(c.key(0), `log/events/ts=20110102-13/events_0-${hostname()}.gz`);
  assert.equal(c.key(1), `log/events/ts=20110102-13/events_1-${hostname()}.gz`);
  assert.ok(warnings.some((w) => w.includes('%{hostname} will be removed')));
});

test('path with ${tag} and strftime under <buffer tag,time>; timekey_zone +0900 moves the slice', () => {
  const tagged = keyFormat({ path: 'logs/${tag}/%Y/%m/%d/', chunkKeys: ['tag', 'time'] }).format;
  assert.equal(tagged.candidates(testChunk('', { timekey: HOUR, tag: 'app.web' })).key(0), 'logs/app.web/2011/01/02/2011010213_0.gz');
  const tokyo = keyFormat({ path: 'logs/', zone: '+0900' }).format;
  assert.equal(tokyo.candidates(testChunk('', { timekey: HOUR })).key(0), 'logs/2011010222_0.gz');
  assert.equal(keyFormat({ path: 'logs/' }).format.candidates(testChunk('')).key(0), 'logs/_0.gz', 'no timekey: empty time_slice');
});

test('%{hex_random} is the reversed unique id, ${chunk_id} the id, ${tag[1]} a tag part, an unknown %{...} becomes ""', () => {
  const { format } = keyFormat({ format: '%{path}%{hex_random}/${chunk_id}/${tag[1]}/%{nope}x_%{index}', path: 'p/', hexRandomLength: 5, chunkKeys: ['tag', 'time'] });
  const chunk = testChunk('', { timekey: HOUR, tag: 'app.web' }, 'a0000000000000000000000000000bcd');
  assert.equal(format.candidates(chunk).key(3), 'p/dcb00/a0000000000000000000000000000bcd/web/x_3');
});

test('%{uuid_flush} is a fresh uuid per write; %{uuid} placeholders are refused', () => {
  const { format } = keyFormat({ format: '%{path}%{uuid_flush}.%{file_extension}' });
  const chunk = testChunk('', { timekey: HOUR });
  const [a, b] = [format.candidates(chunk).key(0), format.candidates(chunk).key(0)];
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.gz$/);
  assert.notEqual(a, b);
  assert.throws(() => keyFormat({ format: '%{path}%{uuid:random}' }), /%\{uuid:random\} placeholder in s3_object_key_format is removed/);
});

test('check_object false: the default format becomes %{path}/%{time_slice}_%{hms_slice} (UTC wall clock); %{index} gives ""', () => {
  const before = new Date();
  const { format, warnings } = keyFormat({ checkObject: false, formatGiven: false, path: 'log', sliceFormat: '%Y%m%d' });
  const key = format.candidates(testChunk('', { timekey: HOUR })).key(0);
  const m = /^log\/20110102_(\d\d)(\d\d)(\d\d)\.gz$/.exec(key);
  assert.ok(m, key);
  assert.ok(Math.abs(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - (before.getUTCHours() * 3600 + before.getUTCMinutes() * 60 + before.getUTCSeconds())) <= 2);
  assert.ok(warnings.some((w) => w.includes("Use '%{path}/%{time_slice}_%{hms_slice}.%{file_extension}'")));
  const given = keyFormat({ checkObject: false, format: '%{path}%{date_slice}-%{index}.%{file_extension}', path: 'x/', sliceFormat: '%Y%m%d' }).format;
  assert.equal(given.candidates(testChunk('', { timekey: HOUR })).key(7), 'x/20110102-.gz');
});

test('KeyChooser: probing skips existing indexes, resumes after the last index used for the prefix, keeps a chunk\'s key', async () => {
  const existing = new Set(['logs/2011010213_0.gz', 'logs/2011010213_1.gz']);
  const probed: string[] = [];
  const chooser = new KeyChooser({
    format: keyFormat({ path: 'logs/' }).format, checkObject: true, overwrite: false, rememberIndex: true,
    exists: async (key) => (probed.push(key), existing.has(key)),
    warn: () => undefined,
  });
  const first = testChunk('a', { timekey: HOUR });
  assert.deepEqual(await chooser.choose(first), { key: 'logs/2011010213_2.gz', index: 2 });
  assert.equal(probed.length, 3);
  existing.add('logs/2011010213_2.gz');
  probed.length = 0;
  assert.deepEqual(await chooser.choose(testChunk('b', { timekey: HOUR }, 'ffff0000000000000000000000000000')), { key: 'logs/2011010213_3.gz', index: 3 });
  assert.deepEqual(probed, ['logs/2011010213_3.gz'], 'one HEAD: probing resumed after index 2');
  probed.length = 0;
  assert.deepEqual(await chooser.choose(first), { key: 'logs/2011010213_2.gz', index: 2 }, 'a retried chunk keeps its key');
  assert.deepEqual(probed, []);
});

test('KeyChooser without %{index}: an existing key is a duplicated path, or overwritten with overwrite true', async () => {
  const options = { format: keyFormat({ format: '%{path}fixed.gz', path: 'k/' }).format, checkObject: true, rememberIndex: false, exists: async () => true };
  const warned: string[] = [];
  await assert.rejects(new KeyChooser({ ...options, overwrite: false, warn: () => undefined }).choose(testChunk('')),
    (err: Error) => err instanceof UnrecoverableError && /duplicated path is generated. use %\{index\} in s3_object_key_format: path = k\/fixed.gz/.test(err.message));
  assert.equal((await new KeyChooser({ ...options, overwrite: true, warn: (m) => warned.push(m) }).choose(testChunk(''))).key, 'k/fixed.gz');
  assert.deepEqual(warned, ['k/fixed.gz already exists, but will overwrite']);
});
