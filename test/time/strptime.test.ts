import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { compileStrptime, compileTimeParser, parseIso8601, parseNumericTime, parseRubyTimeFlexible, TimeParseError } from '../../src/time/strptime.ts';
import { resolveZone } from '../../src/time/zone.ts';

const UTC = resolveZone('UTC');
const utc = (...a: [number, number, number, number?, number?, number?]) => Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0) / 1000;
const thisYear = () => new Date().getUTCFullYear();

test('the nginx format: %z in the text makes the time absolute in every spelling', () => {
  const nginx = compileStrptime('%d/%b/%Y:%H:%M:%S %z', { zone: resolveZone('Asia/Tokyo') });
  const base = utc(2023, 4, 16, 10, 1, 2);
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 +0000'), { sec: base, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 +0900'), { sec: base - 9 * 3600, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 +09:00'), { sec: base - 9 * 3600, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 -0530'), { sec: base + 5.5 * 3600, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 Z'), { sec: base, nsec: 0 });
  assert.deepEqual(nginx('16/apr/2023:10:01:02 UTC'), { sec: base, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 EST'), { sec: base + 5 * 3600, nsec: 0 });
  assert.equal(nginx('16/Foo/2023:10:01:02 +0000'), null);
  assert.equal(nginx('32/Apr/2023:10:01:02 +0000'), null);
  assert.equal(nginx('16/Apr/2023:25:01:02 +0000'), null);
  assert.equal(nginx('not a time'), null);
});

test("Fluentd's test_time_parser cases", () => {
  const tz = compileStrptime('%d/%b/%Y:%H:%M:%S %z', { zone: UTC });
  assert.deepEqual(tz('28/Feb/2013:12:00:00 +0900'), { sec: utc(2013, 2, 28, 3), nsec: 0 });
  const nsec = compileStrptime('%d/%b/%Y:%H:%M:%S:%N %z', { zone: UTC });
  assert.deepEqual(nsec('28/Feb/2013:12:00:00:123456789 +0900'), { sec: utc(2013, 2, 28, 3), nsec: 123456789 });
  const local = compileStrptime('%Y-%m-%d %H:%M:%S.%N', { zone: resolveZone('-02:00') });
  assert.deepEqual(local('2016-09-02 18:42:31.123456789'), { sec: utc(2016, 9, 2, 20, 42, 31), nsec: 123456789 });
  const zurich = compileStrptime('%Y-%m-%d %H:%M:%S.%N', { zone: resolveZone('Europe/Zurich') });
  assert.deepEqual(zurich('2016-12-02 18:42:31.123456789'), { sec: utc(2016, 12, 2, 17, 42, 31), nsec: 123456789 });
  const odd = compileStrptime('%m/%d/%Y %H-%M-%S %N', { zone: resolveZone('-01:00') });
  assert.deepEqual(odd('09/02/2016 18-42-31 012345678'), { sec: utc(2016, 9, 2, 19, 42, 31), nsec: 12345678 });
  // fluentd#3195: a literal Z in the format, utc true
  const literalZ = compileStrptime('%Y-%m-%dT%H:%M:%SZ', { zone: UTC });
  assert.deepEqual(literalZ('2020-12-08T20:00:00Z'), { sec: 1607457600, nsec: 0 });
});

test('%N and %L precision: padded or cut to nanoseconds, never rounded', () => {
  const n = compileStrptime('%Y-%m-%dT%H:%M:%S.%N%z', { zone: UTC });
  const s = utc(2024, 5, 1, 12, 34, 56);
  assert.deepEqual(n('2024-05-01T12:34:56.1+00:00'), { sec: s, nsec: 100_000_000 });
  assert.deepEqual(n('2024-05-01T12:34:56.000001Z'), { sec: s, nsec: 1000 });
  assert.deepEqual(n('2024-05-01T12:34:56.1234567899999+00:00'), { sec: s, nsec: 123_456_789 });
  assert.deepEqual(compileStrptime('%H:%M:%S.%L', { zone: UTC })('00:00:01.999999999')!.nsec, 999_999_999);
  assert.deepEqual(compileStrptime('%Y%m%d%H%M%S%3N', { zone: UTC })('20240501123456789'), { sec: s, nsec: 789_000_000 });
  assert.deepEqual(compileStrptime('%s.%N', { zone: UTC })('1362020400.000000001'), { sec: 1362020400, nsec: 1 });
  assert.deepEqual(compileStrptime('%s', { zone: UTC })('-5'), { sec: -5, nsec: 0 });
});

test('the seconds-prefix cache: same second, new fraction and zone; results equal a fresh parser', () => {
  const format = '%Y-%m-%d %H:%M:%S,%L %z';
  const cached = compileStrptime(format, { zone: UTC });
  const texts = ['2024-05-01 12:34:56,001 +0000', '2024-05-01 12:34:56,002 +0000', '2024-05-01 12:34:56,003 +0100',
    '2024-05-01 12:34:56,x +0000', '2024-05-01 12:34:57,000 +0000', '2024-05-01 12:34:56,004 +0000', '2024-05-01 12:34:5'];
  for (const text of texts) assert.deepEqual(cached(text), compileStrptime(format, { zone: UTC })(text), text);
  assert.deepEqual(cached('2024-05-01 12:34:56,003 +0100'), { sec: utc(2024, 5, 1, 11, 34, 56), nsec: 3_000_000 });
});

test('year-less formats take the current year in the zone; whitespace matches any run', () => {
  const syslog = compileStrptime('%b %d %H:%M:%S', { zone: UTC });
  assert.deepEqual(syslog('Apr 16 10:01:02'), { sec: utc(thisYear(), 4, 16, 10, 1, 2), nsec: 0 });
  assert.deepEqual(syslog('Apr  6 10:01:02'), { sec: utc(thisYear(), 4, 6, 10, 1, 2), nsec: 0 });
  assert.deepEqual(compileStrptime('%b %e %H:%M:%S', { zone: UTC })('Apr  6 10:01:02'), { sec: utc(thisYear(), 4, 6, 10, 1, 2), nsec: 0 });
  assert.deepEqual(syslog('Apr \t 16   10:01:02 web sshd'), { sec: utc(thisYear(), 4, 16, 10, 1, 2), nsec: 0 });
  const timeOnly = compileStrptime('%H:%M', { zone: UTC })('10:30')!;
  const now = new Date();
  assert.equal(timeOnly.sec, utc(now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate(), 10, 30));
});

test('composites, 12-hour clock, %j, %y, %C and literal %%', () => {
  const p = (format: string, text: string) => compileStrptime(format, { zone: UTC })(text)?.sec;
  assert.equal(p('%F %T', '2011-01-02 13:14:15'), utc(2011, 1, 2, 13, 14, 15));
  assert.equal(p('%D %R', '01/02/11 13:14'), utc(2011, 1, 2, 13, 14));
  assert.equal(p('%c', 'Sun Jan  2 13:14:15 2011'), utc(2011, 1, 2, 13, 14, 15));
  assert.equal(p('%x %X', '01/02/69 01:00:00'), utc(1969, 1, 2, 1));
  assert.equal(p('%Y-%m-%d %I:%M:%S %p', '2011-01-02 01:14:15 PM'), utc(2011, 1, 2, 13, 14, 15));
  assert.equal(p('%Y-%m-%d %l:%M %P', '2011-01-02 12:05 am'), utc(2011, 1, 2, 0, 5));
  assert.equal(p('%r', '12:00:00 p.m.'.toUpperCase()), utc(thisYear(), new Date().getUTCMonth() + 1, new Date().getUTCDate(), 12));
  assert.equal(p('%Y %j', '2024 060'), utc(2024, 2, 29));
  assert.equal(p('%C%y-%m-%d', '1999-12-31'), utc(1999, 12, 31));
  assert.equal(p('100%% %Y', '100% 2011'), utc(2011, 1, 1));
  assert.equal(p('%A, %B %d, %Y', 'sunday, JANUARY 02, 2011'), utc(2011, 1, 2));
  assert.equal(p('%Y-%m-%dT%H:%M:%S', '2011-01-02T13:14:15 trailing text is ignored'), utc(2011, 1, 2, 13, 14, 15));
  assert.equal(p('%Y-%m-%d', ' 2011-01-02'), undefined, 'a leading space is not in the format');
  assert.throws(() => compileStrptime('%G-W%V', { zone: UTC }), /%G/);
});

test('a zone-less format in an IANA zone resolves DST gaps and overlaps as Ruby Time.local does', () => {
  const ny = compileStrptime('%Y-%m-%d %H:%M:%S', { zone: resolveZone('America/New_York') });
  const at = (iso: string) => Date.parse(iso) / 1000;
  assert.equal(ny('2024-07-01 12:00:00')!.sec, at('2024-07-01T16:00:00Z'));
  assert.equal(ny('2024-01-01 12:00:00')!.sec, at('2024-01-01T17:00:00Z'));
  assert.equal(ny('2024-03-10 02:30:00')!.sec, at('2024-03-10T07:30:00Z'), 'the nonexistent 02:30 is 03:30 EDT');
  assert.equal(ny('2024-03-10 03:00:00')!.sec, at('2024-03-10T07:00:00Z'));
  assert.equal(ny('2024-11-03 01:30:00')!.sec, at('2024-11-03T05:30:00Z'), 'the repeated 01:30 is the first (EDT)');
  assert.equal(ny('2024-11-03 02:00:00')!.sec, at('2024-11-03T07:00:00Z'));
});

test('Time.iso8601 and the Time.parse subset', () => {
  const tokyo = resolveZone('Asia/Tokyo');
  assert.deepEqual(parseIso8601('2017-01-01T12:00:00+09:00', UTC), { sec: utc(2017, 1, 1, 3), nsec: 0 });
  assert.deepEqual(parseIso8601('2017-01-01T12:00:00.123+09:00', UTC), { sec: utc(2017, 1, 1, 3), nsec: 123_000_000 });
  assert.deepEqual(parseIso8601('2021-01-01T12:00:00+0900', UTC), { sec: utc(2021, 1, 1, 3), nsec: 0 });
  assert.deepEqual(parseIso8601('2017-01-01T12:00:00Z', tokyo), { sec: utc(2017, 1, 1, 12), nsec: 0 });
  assert.deepEqual(parseIso8601('2017-01-01T12:00:00', tokyo), { sec: utc(2017, 1, 1, 3), nsec: 0 });
  assert.deepEqual(parseIso8601('2017-01-01', UTC), { sec: utc(2017, 1, 1), nsec: 0 });
  assert.throws(() => parseIso8601('2017-01-01 12:00:00Z', UTC), /invalid xmlschema format/);
  assert.throws(() => parseIso8601('2017-13-01T12:00:00Z', UTC), TimeParseError);

  const cases: Array<[string, number]> = [
    ['2013-02-28 12:00:00 +0900', utc(2013, 2, 28, 3)],
    ['2013-09-18 12:00:00 +0900', utc(2013, 9, 18, 3)],
    ['2013-02-28T12:00:00.5Z', utc(2013, 2, 28, 12)],
    ['2013/02/28 12:00', utc(2013, 2, 28, 3)],
    ['Oct 11 14:32:52 2000', utc(2000, 10, 11, 5, 32, 52)],
    ['Wed Oct 11 14:32:52 UTC 2000', utc(2000, 10, 11, 14, 32, 52)],
    ['Sun, 02 Jan 2011 13:14:15 +0900', utc(2011, 1, 2, 4, 14, 15)],
    ['28/Feb/2013:12:00:00 +0900', utc(2013, 2, 28, 3)],
    ['20130228T120000Z', utc(2013, 2, 28, 12)],
    ['Apr 16 10:01:02', utc(thisYear(), 4, 16, 1, 1, 2)],
  ];
  for (const [text, sec] of cases) assert.equal(parseRubyTimeFlexible(text, tokyo).sec, sec, text);
  assert.throws(() => parseRubyTimeFlexible('no time here', tokyo), /no time information/);
});

test('numeric time types: unixtime is to_i, float splits at the dot', () => {
  assert.deepEqual(parseNumericTime('100.1', 'float'), { sec: 100, nsec: 100_000_000 });
  assert.deepEqual(parseNumericTime('1362020400.123456789', 'float'), { sec: 1362020400, nsec: 123_456_789 });
  assert.deepEqual(parseNumericTime(1.5, 'float'), { sec: 1, nsec: 500_000_000 });
  assert.deepEqual(parseNumericTime('1362020400.9', 'unixtime'), { sec: 1362020400, nsec: 0 });
  assert.deepEqual(parseNumericTime(1362020400, 'unixtime'), { sec: 1362020400, nsec: 0 });
  assert.throws(() => parseNumericTime(null, 'float'), /value must be a string or a number/);
});

test('compileTimeParser: string, %iso8601, mixed fallbacks, and Fluentd messages', () => {
  const nginx = compileTimeParser({ format: '%d/%b/%Y:%H:%M:%S %z', zone: UTC });
  assert.deepEqual(nginx('28/Feb/2013:12:00:00 +0900'), { sec: utc(2013, 2, 28, 3), nsec: 0 });
  assert.throws(() => nginx('INVALID'), { name: 'TimeParseError', message: "invalid time format: value = INVALID, error_class = ArgumentError, error = string doesn't match" });
  assert.throws(() => compileTimeParser({ format: '%Y-%m-%d %Z', zone: UTC })('x'), { message: "invalid time format: value = x, error_class = ArgumentError, error = invalid date or strptime format - `x' `%Y-%m-%d %Z'" });
  for (const bad of [10000, null, true, [], {}]) assert.throws(() => nginx(bad), (e: Error) => e instanceof TimeParseError && /value must be string/.test(e.message));

  const mixed = compileTimeParser({ type: 'mixed', format: 'unixtime', fallbacks: ['%iso8601'], zone: UTC });
  assert.deepEqual(mixed('2021-01-01T12:00:00+0900'), { sec: utc(2021, 1, 1, 3), nsec: 0 });
  assert.deepEqual(mixed(String(utc(2021, 1, 1, 3))), { sec: utc(2021, 1, 1, 3), nsec: 0 });
  const isoFirst = compileTimeParser({ type: 'mixed', format: '%iso8601', fallbacks: ['unixtime'], zone: UTC });
  assert.deepEqual(isoFirst('1609470000'), { sec: 1609470000, nsec: 0 });
  assert.throws(() => compileTimeParser({ type: 'mixed', fallbacks: ['%iso8601'], zone: UTC })('INVALID'),
    { message: 'invalid time format: value = INVALID, even though fallbacks: Fluent::TimeParser' });
  assert.throws(() => compileTimeParser({ type: 'mixed', format: 'unixtime', zone: UTC })('2021-01-01T12:00:00+0900'),
    { message: 'invalid time format: value = 2021-01-01T12:00:00+0900, even though fallbacks: Fluent::NumericTimeParser' });
  assert.throws(() => compileTimeParser({ type: 'mixed', zone: UTC }), /time_format and time_format_fallbacks is empty/);
  assert.throws(() => compileTimeParser({ format: '%s', fallbacks: ['%iso8601'], zone: UTC }), /time_format_fallbacks/);
  assert.throws(() => compileTimeParser({ zone: UTC }), /specifying timezone requires time format/);
  assert.deepEqual(compileTimeParser({ type: 'float', zone: UTC })('100.1'), { sec: 100, nsec: 100_000_000 });
});

test('zones: Fluentd validate rules, and localtime from the process TZ', () => {
  assert.equal(resolveZone('+09:00').offsetAt(0), 32400);
  assert.equal(resolveZone('+0900').offsetAt(0), 32400);
  assert.equal(resolveZone('-05').offsetAt(0), -18000);
  assert.equal(resolveZone('Z').utc, true);
  assert.equal(resolveZone('Asia/Tokyo', { utc: true }).name, 'UTC');
  assert.equal(resolveZone(undefined, { localtime: false }).name, 'UTC');
  for (const bad of ['Mars/Olympus', '+25:00', 'JST', '+9', 'Asia/Tokyo/X/Y']) assert.throws(() => resolveZone(bad), new RegExp(bad.replace(/[+/]/g, '\\$&')), bad);
  const script = `import { compileStrptime } from './src/time/strptime.ts'; import { resolveZone } from './src/time/zone.ts';
process.stdout.write(String(compileStrptime('%Y-%m-%d %H:%M:%S', { zone: resolveZone('localtime') })('2016-09-02 18:42:31').sec));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: 'UTC+02' }, encoding: 'utf8' });
  assert.equal(r.stdout, String(utc(2016, 9, 2, 20, 42, 31)), r.stderr);
});
