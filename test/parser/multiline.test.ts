import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/harness.ts';

const JAVA = [
  '2013-3-03 14:27:33 [main] ERROR Main - Exception',
  'javax.management.RuntimeErrorException: null',
  '    at Main.main(Main.java:16) ~[bin/:na]',
  '2013-3-03 14:27:34 [main] INFO  Main - Next',
].join('\n');

test('multiline: format_firstline groups lines into events; formats are one regexp where dot crosses lines', async () => {
  const r = await runCli([
    'parse', '--type', 'multiline',
    '--param', 'format_firstline=/\\d{4}-\\d{1,2}-\\d{1,2}/',
    '--param', 'format1=/^(?<time>\\d{4}-\\d{1,2}-\\d{1,2} \\d{1,2}:\\d{1,2}:\\d{1,2}) \\[(?<thread>.*)\\] (?<level>[^\\s]+)(?<message>.*)/',
    '--param', 'time_format=%Y-%m-%d %H:%M:%S', '--param', 'utc=true',
  ], { input: `${JAVA}\n` });
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(events.length, 2, r.stdout + r.stderr);
  assert.equal(events[0].time, '2013-03-03T14:27:33.000000000Z');
  assert.equal(events[0].record.level, 'ERROR');
  assert.equal(events[0].record.message, ' Main - Exception\njavax.management.RuntimeErrorException: null\n    at Main.main(Main.java:16) ~[bin/:na]');
  assert.equal(events[1].record.level, 'INFO');
});

test('multiline: unmatched_lines turns text the formats do not match into {"unmatched_line": text}', async () => {
  const args = ['parse', '--type', 'multiline', '--param', 'format1=/^(?<level>[A-Z]+) (?<message>.*)/'];
  const r = await runCli([...args, '--param', 'unmatched_lines=true'], { input: 'INFO up\nnot a log line\n' });
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => e.record), [{ level: 'INFO', message: 'up' }, { unmatched_line: 'not a log line' }]);
  const plain = await runCli(args, { input: 'not a log line\n' });
  assert.match(plain.stdout, /"error"/);
  assert.doesNotMatch(plain.stdout, /unmatched_line/);
});

test('multiline: a gap in format1..N is a config error naming the missing format', async () => {
  const r = await runCli(['parse', '--type', 'multiline', '--param', 'format1=/(?<a>x)/', '--param', 'format3=/(?<b>y)/'], { input: 'x\n' });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /format2 is missing/);
});
