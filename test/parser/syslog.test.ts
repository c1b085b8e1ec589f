import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/harness.ts';

const SAMPLES = fileURLToPath(new URL('../../conf/demo', import.meta.url));

async function parse(input: string, params: string[] = [], tz = 'UTC'): Promise<Array<{ time?: string; record?: Record<string, unknown>; error?: string }>> {
  const r = await runCli(['parse', '--type', 'syslog', ...params.flatMap((p) => ['--param', p])], { input, env: { TZ: tz } });
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

test('rfc3164 auth.log: host, ident, pid (a string, absent without [pid]), message; the year is the current one', async () => {
  const out = await parse(readFileSync(`${SAMPLES}/auth.log`, 'utf8'));
  assert.deepEqual(out[0]?.record, {
    host: 'web', ident: 'sshd', pid: '1234',
    message: 'Accepted publickey for deploy from 203.0.113.7 port 51122 ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0',
  });
  assert.deepEqual(Object.keys(out[2]!.record!), ['host', 'ident', 'message']);
  assert.equal(out[2]?.record?.ident, 'sudo');
  assert.equal(out[0]?.time, `${new Date().getUTCFullYear()}-04-16T10:01:02.000000000Z`);
  assert.ok(out.every((o) => o.record), JSON.stringify(out));
});

test('a year-less time is local time (TZ=Asia/Tokyo)', async () => {
  const [event] = await parse('Apr 16 10:01:02 web sshd[1]: x\n', [], 'Asia/Tokyo');
  assert.equal(event?.time, `${new Date().getUTCFullYear()}-04-16T01:01:02.000000000Z`);
});

test('ISO-8601 auth.log lines (which Fluentd drops) give the same fields with their exact time; accept_iso8601 false drops them as Fluentd does', async () => {
  const input = readFileSync(`${SAMPLES}/auth-iso.log`, 'utf8');
  const out = await parse(input);
  assert.deepEqual(out[0]?.record, {
    host: 'web', ident: 'sshd', pid: '1234',
    message: 'Accepted publickey for deploy from 203.0.113.7 port 51122 ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0',
  });
  assert.equal(out[0]?.time, '2026-11-22T10:01:02.123456000Z');
  assert.equal(out[2]?.time, '2026-11-22T09:02:11.987001000Z');
  const strict = await parse(input, ['accept_iso8601=false']);
  assert.ok(strict.every((o) => o.error), JSON.stringify(strict));
});

test('with_priority and rfc5424 (message_format rfc5424 and auto)', async () => {
  const [pri] = await parse('<6>Feb 28 12:00:00 192.168.0.1 fluentd[11111]: [error] Syslog test\n', ['with_priority=true']);
  assert.deepEqual(pri?.record, { pri: 6, host: '192.168.0.1', ident: 'fluentd', pid: '11111', message: '[error] Syslog test' });
  const line5424 = '<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd 11111 ID24224 [exampleSDID@20224 iut="3" eventSource="Application"] Hi, from Fluentd!\n';
  const [r5424] = await parse(line5424, ['message_format=rfc5424', 'with_priority=true']);
  assert.deepEqual(r5424?.record, {
    pri: 16, host: '192.168.0.1', ident: 'fluentd', pid: '11111', msgid: 'ID24224',
    extradata: '[exampleSDID@20224 iut="3" eventSource="Application"]', message: 'Hi, from Fluentd!',
  });
  assert.equal(r5424?.time, '2017-02-06T13:14:15.003000000Z');
  const auto = await parse(`${line5424}<6>Feb 28 12:00:00 host app: plain\n`, ['message_format=auto', 'with_priority=true']);
  assert.equal(auto[0]?.record?.msgid, 'ID24224');
  assert.equal(auto[1]?.record?.message, 'plain');
});

test('a line that is not syslog is reported with its raw text, never dropped silently', async () => {
  const out = await parse('garbage\n');
  assert.equal(out[0]?.error !== undefined, true);
});
