import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { compileStrftime, formatIso8601 } from '../../src/time/strftime.ts';
import { resolveZone } from '../../src/time/zone.ts';

const UTC = resolveZone('UTC');
const T = Date.UTC(2011, 0, 2, 13, 14, 15) / 1000; // the reference's worked-example event time (a Sunday)
const FLUENTD_T = Date.UTC(2014, 8, 27) / 1000; // test_time_formatter.rb's time

test('strftime: Ruby directives with their default widths and fills', () => {
  const cases: Array<[string, string]> = [
    ['%Y %C %y %m %d %e %j', '2011 20 11 01 02  2 002'],
    ['%H %k %I %l %M %S %p %P', '13 13 01  1 14 15 PM pm'],
    ['%B %b %h %A %a %u %w', 'January Jan Jan Sunday Sun 7 0'],
    ['%s %L %N %3N %6N %9N %12N', '1293974055 123 123456789 123 123456 123456789 123456789000'],
    ['%z %:z %::z %Z', '+0000 +00:00 +00:00:00 UTC'],
    ['%F %T %D %R %r', '2011-01-02 13:14:15 01/02/11 13:14 01:14:15 PM'],
    ['%c|%x|%X|%v|%+', 'Sun Jan  2 13:14:15 2011|01/02/11|13:14:15| 2-JAN-2011|Sun Jan  2 13:14:15 UTC 2011'],
    ['%U %W %G %g %V', '01 00 2010 10 52'],
    ['a%nb%tc%%d', 'a\nb\tc%d'],
  ];
  for (const [format, expected] of cases) assert.equal(compileStrftime(format, UTC)(T, 123456789), expected, format);
});

test('strftime flags and widths: - _ 0 ^ # and a minimum width', () => {
  const f = (format: string) => compileStrftime(format, UTC)(T, 0);
  assert.equal(f('%-m/%-d %-H'), '1/2 13');
  assert.equal(f('%_m|%_H|%0e|%-e'), ' 1|13|02|2');
  assert.equal(f('%^a %^B %#b %#p %^P'), 'SUN JANUARY JAN pm PM');
  assert.equal(f('%10A|%-10A|%010a|%5d|%_5d|%6Y'), '    Sunday|Sunday|0000000Sun|00002|    2|002011');
  assert.equal(f('%Ey %Od'), '11 02');
});

test('unknown sequences and %{...} placeholders stay as written', () => {
  assert.equal(compileStrftime('logs/%{path}/%Y/%Q-%K-%:y-%', UTC)(T, 0), 'logs/%{path}/2011/%Q-%K-%:y-%');
  assert.equal(compileStrftime('%{time_slice}_%{index}.%{file_extension}', UTC)(T, 0), '%{time_slice}_%{index}.%{file_extension}');
});

test('years before 1000 and before 1970 as Ruby pads them', () => {
  assert.equal(compileStrftime('%Y-%m-%d %H:%M:%S', UTC)(-1, 0), '1969-12-31 23:59:59');
  const year21 = new Date(0);
  year21.setUTCFullYear(21, 0, 1);
  assert.equal(compileStrftime('%Y %C %y %F', UTC)(year21.getTime() / 1000, 0), '0021 00 21 0021-01-01');
});

test('the per-second cache: sub-second directives still change within a second, other seconds re-render', () => {
  const f = compileStrftime('%H:%M:%S.%L', UTC);
  assert.equal(f(T, 1_000_000), '13:14:15.001');
  assert.equal(f(T, 999_000_000), '13:14:15.999');
  assert.equal(f(T + 1, 0), '13:14:16.000');
  assert.equal(f(T, 5_000_000), '13:14:15.005');
  const g = compileStrftime('%Y%m%d%H%M%S', UTC);
  assert.equal(g(T, 0), '20110102131415');
  assert.equal(g(T, 500), '20110102131415');
  assert.equal(g(0, 0), '19700101000000');
});

test("Fluentd's test_time_formatter expectations in fixed offsets and IANA zones", () => {
  const fmt = '%Y%m%d %H%M%z';
  const cases: Array<[string, string, string]> = [
    ['+08:30', '20140927 0830+0830', '2014-09-27T08:30:00+08:30'],
    ['-09:30', '20140926 1430-0930', '2014-09-26T14:30:00-09:30'],
    ['+1030', '20140927 1030+1030', '2014-09-27T10:30:00+10:30'],
    ['-1130', '20140926 1230-1130', '2014-09-26T12:30:00-11:30'],
    ['+12', '20140927 1200+1200', '2014-09-27T12:00:00+12:00'],
    ['-13', '20140926 1100-1300', '2014-09-26T11:00:00-13:00'],
    ['Europe/Moscow', '20140927 0400+0400', '2014-09-27T04:00:00+04:00'],
    ['Pacific/Galapagos', '20140926 1800-0600', '2014-09-26T18:00:00-06:00'],
    ['America/Argentina/Buenos_Aires', '20140926 2100-0300', '2014-09-26T21:00:00-03:00'],
    ['America/Los_Angeles', '20140926 1700-0700', '2014-09-26T17:00:00-07:00'],
    ['Europe/Paris', '20140927 0200+0200', '2014-09-27T02:00:00+02:00'],
  ];
  for (const [zone, specific, iso] of cases) {
    assert.equal(compileStrftime(fmt, resolveZone(zone))(FLUENTD_T, 0), specific, zone);
    assert.equal(formatIso8601(FLUENTD_T, 0, resolveZone(zone)), iso, zone);
  }
  const january = Date.UTC(2014, 0, 24) / 1000;
  assert.equal(compileStrftime(fmt, resolveZone('America/Los_Angeles'))(january, 0), '20140123 1600-0800');
  assert.equal(formatIso8601(january, 0, resolveZone('Europe/Paris')), '2014-01-24T01:00:00+01:00');
  assert.equal(compileStrftime(fmt, UTC)(FLUENTD_T, 0), '20140927 0000+0000');
  assert.equal(compileStrftime('%Y%m%d %H%M.%N', UTC)(FLUENTD_T, 0), '20140927 0000.000000000');
});

test('ISO 8601 as Ruby Time#iso8601 writes it: Z only for UTC, +00:00 for a zero offset', () => {
  assert.equal(formatIso8601(T, 0, UTC), '2011-01-02T13:14:15Z');
  assert.equal(formatIso8601(T, 0, resolveZone('+00:00')), '2011-01-02T13:14:15+00:00');
  assert.equal(formatIso8601(T, 0, resolveZone('utc', { utc: true })), '2011-01-02T13:14:15Z');
  assert.equal(formatIso8601(T, 500_000_000, resolveZone('-07:00'), 3), '2011-01-02T06:14:15.500-07:00');
  assert.equal(formatIso8601(T, 1, UTC, 9), '2011-01-02T13:14:15.000000001Z');
  assert.equal(formatIso8601(-1, 0, UTC), '1969-12-31T23:59:59Z');
});

test('an IANA zone across its DST transitions', () => {
  const ny = compileStrftime('%Y-%m-%d %H:%M:%S %z %Z', resolveZone('America/New_York'));
  const at = (iso: string) => Date.parse(iso) / 1000;
  assert.equal(ny(at('2024-03-10T06:59:59Z'), 0), '2024-03-10 01:59:59 -0500 ');
  assert.equal(ny(at('2024-03-10T07:00:00Z'), 0), '2024-03-10 03:00:00 -0400 ');
  assert.equal(ny(at('2024-11-03T05:59:59Z'), 0), '2024-11-03 01:59:59 -0400 ');
  assert.equal(ny(at('2024-11-03T06:00:00Z'), 0), '2024-11-03 01:00:00 -0500 ');
  const lordHowe = compileStrftime('%H:%M %:z', resolveZone('Australia/Lord_Howe')); // a half-hour DST shift
  assert.equal(lordHowe(at('2024-01-01T00:00:00Z'), 0), '11:00 +11:00');
  assert.equal(lordHowe(at('2024-07-01T00:00:00Z'), 0), '10:30 +10:30');
});

test('localtime follows the process TZ, with the C library zone names for %Z', () => {
  const script = `import { compileStrftime } from './src/time/strftime.ts'; import { resolveZone } from './src/time/zone.ts';
const z = resolveZone('localtime'); const f = compileStrftime('%H %z %Z', z);
process.stdout.write([f(${T}, 0), f(${Date.UTC(2024, 6, 1, 12) / 1000}, 0)].join('|'));`;
  const run = (tz: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
  const cases: Array<[string, string]> = [
    ['Asia/Tokyo', '22 +0900 JST|21 +0900 JST'],
    ['America/New_York', '08 -0500 EST|08 -0400 EDT'],
    ['UTC+07', '06 -0700 UTC|05 -0700 UTC'],
  ];
  for (const [tz, expected] of cases) {
    const r = run(tz);
    assert.equal(r.stdout, expected, `${tz}: ${r.stderr}`);
  }
});
