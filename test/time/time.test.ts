import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { compileStrftime, formatIso8601 } from '../../src/time/strftime.ts';
import { compileStrptime, compileTimeParser, parseRubyTimeFlexible } from '../../src/time/strptime.ts';
import { resolveZone } from '../../src/time/zone.ts';

const UTC = resolveZone('UTC');
const T = Date.UTC(2011, 0, 2, 13, 14, 15) / 1000; // the reference's worked-example event time

test('strftime: Ruby directives, flags and widths; unknown sequences and %{...} stay intact', () => {
  const f = compileStrftime('%Y%m%d%H|%d/%b/%Y:%H:%M:%S %z|%:z|%L|%N|%3N|%j|%a %A %B|%e|%-m|%{path}|%s|%F %T|%I %p|%%|%Q', UTC);
  assert.equal(f(T, 123456789), '2011010213|02/Jan/2011:13:14:15 +0000|+00:00|123|123456789|123|002|Sun Sunday January| 2|1|%{path}|1293974055|2011-01-02 13:14:15|01 PM|%|%Q');
});

test('strftime in fixed offsets and IANA zones, DST-correct', () => {
  assert.equal(compileStrftime('%Y%m%d%H %z', resolveZone('+09:00'))(T, 0), '2011010222 +0900');
  const ny = compileStrftime('%H %z', resolveZone('America/New_York'));
  assert.equal(ny(Date.UTC(2024, 6, 1, 12) / 1000, 0), '08 -0400');
  assert.equal(ny(Date.UTC(2024, 0, 1, 12) / 1000, 0), '07 -0500');
  // the instant of the 2024 spring-forward: 02:00 EST does not exist, 07:00Z is 03:00 EDT
  assert.equal(ny(Date.UTC(2024, 2, 10, 7) / 1000, 0), '03 -0400');
});

test('ISO 8601 as Ruby Time#iso8601 writes it', () => {
  assert.equal(formatIso8601(T, 0, UTC), '2011-01-02T13:14:15Z');
  assert.equal(formatIso8601(T, 500_000_000, resolveZone('-07:00'), 3), '2011-01-02T06:14:15.500-07:00');
});

test('strptime: the nginx format with %z is absolute; a zone-less format reads in the given zone', () => {
  const nginx = compileStrptime('%d/%b/%Y:%H:%M:%S %z', { zone: UTC });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 +0000'), { sec: Date.UTC(2023, 3, 16, 10, 1, 2) / 1000, nsec: 0 });
  assert.deepEqual(nginx('16/Apr/2023:10:01:02 +0900'), { sec: Date.UTC(2023, 3, 16, 1, 1, 2) / 1000, nsec: 0 });
  const tokyo = compileStrptime('%Y-%m-%d %H:%M:%S', { zone: resolveZone('Asia/Tokyo') });
  assert.equal(tokyo('2013-02-28 12:00:00').sec, Date.UTC(2013, 1, 28, 3) / 1000);
  assert.throws(() => nginx('not a time'), /invalid date or strptime format/);
});

test('strptime: year-less syslog time takes the current year; %L/%N keep sub-seconds; %s is epoch seconds', () => {
  const syslog = compileStrptime('%b %d %H:%M:%S', { zone: UTC });
  const t = syslog('Apr  6 10:01:02');
  assert.equal(new Date(t.sec * 1000).getUTCFullYear(), new Date().getUTCFullYear());
  assert.equal(new Date(t.sec * 1000).toISOString().slice(5, 19), '04-06T10:01:02');
  assert.deepEqual(compileStrptime('%Y-%m-%dT%H:%M:%S.%L%z', { zone: UTC })('2024-05-01T12:34:56.123456+00:00'), {
    sec: Date.UTC(2024, 4, 1, 12, 34, 56) / 1000, nsec: 123_456_000,
  });
  assert.deepEqual(compileStrptime('%s.%N', { zone: UTC })('1362020400.000000001'), { sec: 1362020400, nsec: 1 });
});

test('Time.parse subset and %iso8601 for parsers without a time_format', () => {
  assert.equal(parseRubyTimeFlexible('2013-02-28 12:00:00 +0900', UTC).sec, Date.UTC(2013, 1, 28, 3) / 1000);
  assert.equal(parseRubyTimeFlexible('Oct 11 14:32:52 2000', UTC).sec, Date.UTC(2000, 9, 11, 14, 32, 52) / 1000);
  assert.equal(compileTimeParser({ format: '%iso8601', zone: UTC })('2024-05-01T12:34:56Z').sec, Date.UTC(2024, 4, 1, 12, 34, 56) / 1000);
  const withFallback = compileTimeParser({ format: '%Y-%m-%d', fallbacks: ['%d/%m/%Y'], zone: UTC });
  assert.equal(withFallback('02/01/2011').sec, Date.UTC(2011, 0, 2) / 1000);
});

test('localtime follows the process TZ (run under TZ=Asia/Tokyo)', () => {
  const script = `import { compileStrftime } from './src/time/strftime.ts'; import { resolveZone } from './src/time/zone.ts';
process.stdout.write(compileStrftime('%H %z', resolveZone('localtime'))(${T}, 0));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: 'Asia/Tokyo' }, encoding: 'utf8' });
  assert.equal(r.stdout, '22 +0900', r.stderr);
});

test('invalid zones are refused by name', () => {
  assert.throws(() => resolveZone('Mars/Olympus'), /Mars\/Olympus/);
  assert.throws(() => resolveZone('+25:00'), /\+25:00/);
});
