import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { buildFilter, element } from '../formatter/plugin-builder.ts';

const TAG = 'prefix.test.tag.suffix';

function run(plugin: { filter(tag: string, b: EventBatch): EventBatch | null }, records: Record<string, unknown>[], tag = TAG, sec = 1469592510) {
  const b = new EventBatch();
  for (const r of records) b.add(sec, 0, r);
  return plugin.filter(tag, b)!;
}

const record = (attrs: Record<string, string>) => element('record', attrs);

describe('filter record_transformer', () => {
  it('tag, tag_parts (negative), tag_prefix, tag_suffix, hostname, record["k"]', async () => {
    const { plugin } = await buildFilter('record_transformer', {}, [record({
      hostname: '${hostname}', tag: '${tag}',
      message: '${hostname} ${tag_parts[-1]} ${record["message"]}',
      parts: '${tag_parts[0]} ${tag_parts[-1]}',
      fixes: '${tag_prefix[1]} ${tag_prefix[-2]} ${tag_suffix[2]} ${tag_suffix[-3]}',
    })]);
    const out = run(plugin, [{ foo: 'bar', message: '1' }]);
    assert.deepEqual(out.records[0], {
      foo: 'bar', message: `${hostname()} suffix 1`, hostname: hostname(), tag: TAG,
      parts: 'prefix suffix', fixes: 'prefix.test prefix.test.tag tag.suffix test.tag.suffix',
    });
  });
  it('${time} is Ruby Time#to_s in local time', async () => {
    const { plugin } = await buildFilter('record_transformer', {}, [record({ time: '${time}' })]);
    assert.match(run(plugin, [{}]).records[0]!.time as string, /^2016-07-2[67] \d\d:08:30 [+-]\d{4}$/);
  });
  it('auto_typecast keeps the type of a lone placeholder; to_s inside text; false stringifies', async () => {
    const cfg = { single: '${record["source"]}', with_prefix: 'prefix-${record["source"]}' };
    const typed = (await buildFilter('record_transformer', {}, [record(cfg)])).plugin;
    const sources = [123, [1, 2], { a: 1, b: 2 }, null];
    const out = run(typed, sources.map((source) => ({ source })));
    assert.deepEqual(out.records.map((r) => r.single), sources);
    assert.deepEqual(out.records.map((r) => r.with_prefix), ['prefix-123', 'prefix-[1, 2]', 'prefix-{"a" => 1, "b" => 2}', 'prefix-']);
    const plain = (await buildFilter('record_transformer', { auto_typecast: 'false' }, [record(cfg)])).plugin;
    assert.deepEqual(run(plain, [{ source: 123 }, { source: null }]).records.map((r) => r.single), ['123', '']);
  });
  it('JSON values and keys with placeholders', async () => {
    const { plugin } = await buildFilter('record_transformer', { renew_record: 'true' }, [record({
      hash_field: '{"hostname":"${hostname}","${tag}":100}', array_field: '["${tag}"]', 'foo.${tag}': 'tag',
    })]);
    assert.deepEqual(run(plugin, [{ x: 1 }], 'a.b').records[0], { hash_field: { hostname: hostname(), 'a.b': 100 }, array_field: ['a.b'], 'foo.a.b': 'tag' });
  });
  it('remove_keys (nested), renew_record with keep_keys, renew_time_key', async () => {
    const rm = (await buildFilter('record_transformer', { remove_keys: 'foo,$.nest.k1' })).plugin;
    assert.deepEqual(run(rm, [{ foo: 1, bar: 2, nest: { k1: 1, k2: 2 } }]).records[0], { bar: 2, nest: { k2: 2 } });
    const keep = (await buildFilter('record_transformer', { renew_record: 'true', keep_keys: 'foo,baz' })).plugin;
    assert.deepEqual(run(keep, [{ foo: 'bar', message: 'm' }]).records[0], { foo: 'bar' });
    const renew = (await buildFilter('record_transformer', { renew_time_key: 't', remove_keys: 't' }, [record({ t: '${record["message"]}' })])).plugin;
    const out = run(renew, [{ message: '1262664302.25' }]);
    assert.deepEqual([out.secs[0], out.nsecs[0], out.records[0]], [1262664302, 250_000_000, { message: '1262664302.25' }]);
  });
  it('unknown placeholders warn and give nil; enable_ruby and keep_keys without renew_record are config errors', async () => {
    const { plugin, lines } = await buildFilter('record_transformer', {}, [record({ message: '${unknown}', m2: 'x${message}y' })]);
    assert.deepEqual(run(plugin, [{ message: 'a' }]).records[0], { message: null, m2: 'xy' });
    assert.ok(lines.some((l) => l.msg === 'unknown placeholder `${unknown}` found'));
    await assert.rejects(buildFilter('record_transformer', { enable_ruby: 'true' }), /never runs Ruby/);
    await assert.rejects(buildFilter('record_transformer', { keep_keys: 'a' }), /`renew_record` must be true to use `keep_keys`/);
  });
});
