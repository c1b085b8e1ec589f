import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { rubyJsonGenerate } from '../../src/formatter/ruby-json.ts';
import { createExtractor, type Extracted } from '../../src/plugin-helpers/extract.ts';
import { createInjector, injectSectionOf } from '../../src/plugin-helpers/inject.ts';
import { element, testContext, testLogger } from '../formatter/plugin-builder.ts';

const SEC = 1469592510; // 2016-07-27T04:08:30Z
const ctx = () => testContext(testLogger().log);

describe('<inject>', () => {
  it('adds tag, hostname, worker id and float time (microseconds; integral prints as 1.0)', () => {
    const inject = createInjector(element('inject', { tag_key: 'tag', hostname_key: 'host', worker_id_key: 'w', time_key: 'time' }), ctx());
    const original = { a: 1 };
    const out = inject('app.x', SEC, 123_456_789, original);
    assert.deepEqual(out, { a: 1, host: hostname(), w: 0, tag: 'app.x', time: 1469592510.123456 });
    assert.deepEqual(original, { a: 1 }, 'the input record is not modified');
    assert.equal(rubyJsonGenerate(inject('t', SEC, 0, {})), `{"host":${JSON.stringify(hostname())},"w":0,"tag":"t","time":1469592510.0}`);
  });
  it('time_type string with time_format and zone; unixtime and millis', () => {
    const s = createInjector(element('inject', { time_key: 't', time_type: 'string', time_format: '%Y-%m-%dT%H:%M:%S%z', timezone: '+09:00' }), ctx());
    assert.equal(s('x', SEC, 0, {}).t, '2016-07-27T13:08:30+0900');
    const iso = createInjector(element('inject', { time_key: 't', time_type: 'string', utc: 'true' }), ctx());
    assert.equal(iso('x', SEC, 0, {}).t, '2016-07-27T04:08:30Z');
    assert.equal(createInjector(element('inject', { time_key: 't', time_type: 'unixtime' }), ctx())('x', SEC, 999, {}).t, SEC);
    assert.equal(createInjector(element('inject', { time_key: 't', time_type: 'unixtime_millis' }), ctx())('x', SEC, 987_654_321, {}).t, SEC * 1000 + 987);
    const nanos = createInjector(element('inject', { time_key: 't', time_type: 'unixtime_nanos' }), ctx());
    assert.equal(rubyJsonGenerate(nanos('x', SEC, 5, {})), '{"t":1469592510000000005}');
  });
  it('returns the same record when nothing is injected', () => {
    const r = { a: 1 };
    assert.equal(createInjector(undefined, ctx())('t', 0, 0, r), r);
    assert.equal(createInjector(element('inject', {}), ctx())('t', 0, 0, r), r);
  });
  it('v0.12 include_tag_key/include_time_key become an <inject> (string time, ISO-8601)', () => {
    const section = injectSectionOf(element('match', { include_tag_key: 'true', include_time_key: 'true', utc: 'true' }));
    assert.ok(section);
    assert.deepEqual(createInjector(section, ctx())('test', 1294017255, 0, { a: 1 }), { a: 1, tag: 'test', time: '2011-01-03T01:14:15Z' });
    assert.equal(injectSectionOf(element('match', { path: '/x' })), undefined);
  });
  it('hostname_key may not be a chunk key', () => {
    const c = { ...ctx(), buffer: { chunkKeys: ['host'] } };
    assert.throws(() => createInjector(element('inject', { hostname_key: 'host' }), c), /cannot be used in buffering chunk key/);
  });
});

describe('<extract>', () => {
  it('takes tag and float time out of the record unless kept', () => {
    const extract = createExtractor(element('extract', { tag_key: 'tag', time_key: 'time' }), ctx())!;
    const into: Extracted = { tag: undefined, sec: NaN, nsec: 0 };
    const record: Record<string, unknown> = { tag: 'a.b', time: '1469592510.5', msg: 'x' };
    extract(record, into);
    assert.deepEqual(into, { tag: 'a.b', sec: SEC, nsec: 500_000_000 });
    assert.deepEqual(record, { msg: 'x' });
    const keep = createExtractor(element('extract', { tag_key: 'tag', keep_tag_key: 'true' }), ctx())!;
    const r2: Record<string, unknown> = { tag: 5 };
    keep(r2, into);
    assert.equal(into.tag, '5');
    assert.ok(Number.isNaN(into.sec));
    assert.deepEqual(r2, { tag: 5 });
  });
  it('is undefined without a section or keys', () => {
    assert.equal(createExtractor(undefined, ctx()), undefined);
    assert.equal(createExtractor(element('extract', {}), ctx()), undefined);
  });
});
