import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBatch, type EventRecord } from '../../src/event/event-batch.ts';
import { buildParser, sectionFromParams } from '../../src/engine/standalone.ts';
import { memoryLogger } from '../helpers/harness.ts';

const { log } = memoryLogger('fatal');

async function parse(type: string, params: Record<string, string>, text: string): Promise<Array<{ sec: number; nsec: number; record: EventRecord }> | false> {
  const parser = await buildParser(sectionFromParams('parse', type, params), { log });
  const batch = new EventBatch();
  if (!parser.parse(text, batch)) return false;
  return batch.records.map((record, i) => ({ sec: batch.secs[i]!, nsec: batch.nsecs[i]!, record }));
}

const UTC = (s: string) => Date.parse(s) / 1000;

test('nginx: strings, "-" kept, optional groups absent, time from %d/%b/%Y:%H:%M:%S %z', async () => {
  const [e] = (await parse('nginx', {}, '127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 777 "-" "Opera/12.0"')) || [];
  assert.equal(e?.sec, UTC('2013-02-28T03:00:00Z'));
  assert.deepEqual(e?.record, { remote: '127.0.0.1', host: '192.168.0.1', user: '-', method: 'GET', path: '/', code: '200', size: '777', referer: '-', agent: 'Opera/12.0' });
  const [xff] = (await parse('nginx', {}, '127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 777 "-" "Opera/12.0" "10.0.0.1, 10.0.0.2"')) || [];
  assert.equal(xff?.record.http_x_forwarded_for, '10.0.0.1, 10.0.0.2');
  assert.equal(await parse('nginx', {}, 'not an access log line'), false);
});

test('apache2: typed code/size, "-" as null; apache (legacy) keeps strings', async () => {
  const [a2] = (await parse('apache2', {}, '192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 777 "-" "Opera/12.0"')) || [];
  assert.deepEqual(a2?.record, { host: '192.168.0.1', user: null, method: 'GET', path: '/', code: 200, size: 777, referer: null, agent: 'Opera/12.0' });
  const [a] = (await parse('apache', {}, '192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 777')) || [];
  assert.equal(a?.record.code, '200');
  assert.equal('agent' in (a?.record ?? {}), false);
});

test('apache_error: level, pid and client when present', async () => {
  const [e] = (await parse('apache_error', {}, '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration')) || [];
  assert.deepEqual(e?.record, { level: 'error', client: '127.0.0.1', message: 'client denied by server configuration' });
});

test('regexp: only named groups that matched; types and time_key/keep_time_key', async () => {
  const params = { expression: '/^(?<user>\\w+) (?<n>\\d+)(?: (?<opt>\\w+))? (?<time>[^ ]+)$/', time_format: '%Y-%m-%dT%H:%M:%S%z', types: 'n:integer' };
  const [e] = (await parse('regexp', params, 'bob 42 2024-05-01T00:00:00+0000')) || [];
  assert.deepEqual(e?.record, { user: 'bob', n: 42 });
  assert.equal(e?.sec, UTC('2024-05-01T00:00:00Z'));
  const [kept] = (await parse('regexp', { ...params, keep_time_key: 'true' }, 'bob 42 x 2024-05-01T00:00:00+0000')) || [];
  assert.deepEqual(kept?.record, { user: 'bob', n: 42, opt: 'x', time: '2024-05-01T00:00:00+0000' });
});

test('regexp: a group named __proto__ is a field like any other; groups that did not participate are absent', async () => {
  const [e] = (await parse('regexp', { expression: '/^(?<__proto__>\\w+) (?<b>\\w+)(?: (?<c>\\w+))?$/' }, 'x y')) || [];
  assert.deepEqual(Object.keys(e!.record), ['__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(e!.record), Object.prototype);
  assert.equal(JSON.stringify(e!.record), '{"__proto__":"x","b":"y"}');
});

test('json: the time key leaves the record, the other keys keep their order, "__proto__" stays an own key', async () => {
  const [e] = (await parse('json', {}, '{"a":1,"time":1362020400,"__proto__":{"x":1},"b":2}')) || [];
  assert.equal(e?.sec, 1362020400);
  assert.deepEqual(Object.keys(e!.record), ['a', '__proto__', 'b']);
  assert.equal(Object.getPrototypeOf(e!.record), Object.prototype);
  assert.equal(JSON.stringify(e!.record), '{"a":1,"__proto__":{"x":1},"b":2}');
  const [kept] = (await parse('json', { keep_time_key: 'true' }, '{"a":1,"time":1362020400}')) || [];
  assert.deepEqual(Object.keys(kept!.record), ['a', 'time']);
});

test('json: time_type float by default, arrays give several events, null_empty_string', async () => {
  const [e] = (await parse('json', {}, '{"time":1362020400.5,"host":"x"}')) || [];
  assert.deepEqual({ sec: e?.sec, nsec: e?.nsec, record: e?.record }, { sec: 1362020400, nsec: 500000000, record: { host: 'x' } });
  const many = await parse('json', {}, '[{"a":1},{"a":2}]');
  assert.deepEqual(many && many.map((x) => x.record), [{ a: 1 }, { a: 2 }]);
  const [n] = (await parse('json', { null_empty_string: 'true' }, '{"a":""}')) || [];
  assert.deepEqual(n?.record, { a: null });
  assert.equal(await parse('json', {}, '{broken'), false);
});

test('ltsv, csv, tsv, none', async () => {
  const [l] = (await parse('ltsv', {}, 'host:127.0.0.1\tident:-\tuser:frank')) || [];
  assert.deepEqual(l?.record, { host: '127.0.0.1', ident: '-', user: 'frank' });
  const [c] = (await parse('csv', { keys: 'a,b,c' }, 'x,"y,""z""",')) || [];
  assert.deepEqual(c?.record, { a: 'x', b: 'y,"z"', c: null });
  const [t] = (await parse('tsv', { keys: 'a,b' }, 'x\ty\tz')) || [];
  assert.deepEqual(t?.record, { a: 'x', b: 'y\tz' });
  const [none] = (await parse('none', {}, 'raw line as is')) || [];
  assert.deepEqual(none?.record, { message: 'raw line as is' });
});
