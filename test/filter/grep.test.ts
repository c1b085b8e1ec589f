import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { buildFilter, element } from '../formatter/plugin-builder.ts';

const messages = [
  { message: '2013/01/13T07:02:11.124202 INFO GET /ping', host: 'web1', nest: { level: 'info' } },
  { message: '2013/01/13T07:02:13.232645 WARN POST /auth', host: 'web2', nest: { level: 'warn' } },
  { message: '2013/01/13T07:02:21.542145 WARN GET /favicon.ico', host: 'db1', nest: { level: 'warn' } },
  { message: '2013/01/13T07:02:43.632145 WARN POST /login', host: 'web1', nest: { level: 'error' } },
];

function batchOf(records: Record<string, unknown>[]): EventBatch {
  const b = new EventBatch();
  records.forEach((r, i) => b.add(100 + i, i, r));
  return b;
}

const kept = (out: EventBatch | null) => (out ? out.records.map((r) => r.message as string) : []);
const cond = (name: string, key: string, pattern: string) => element(name, { key, pattern });

describe('filter grep', () => {
  it('<regexp> keeps matches, <exclude> drops them (the Fluentd test case)', async () => {
    const { plugin } = await buildFilter('grep', {}, [cond('regexp', 'message', 'WARN'), cond('exclude', 'message', 'favicon')]);
    assert.deepEqual(kept(plugin.filter('t', batchOf(messages))), [messages[1]!.message, messages[3]!.message]);
  });
  it('keeps times with records, returns the batch itself when all pass and null when none', async () => {
    const { plugin } = await buildFilter('grep', {}, [cond('regexp', 'message', '/warn/i')]);
    const out = plugin.filter('t', batchOf(messages))!;
    assert.deepEqual(out.secs, [101, 102, 103]);
    assert.deepEqual(out.nsecs, [1, 2, 3]);
    const all = batchOf(messages);
    assert.equal((await buildFilter('grep', {}, [cond('regexp', 'host', '.')])).plugin.filter('t', all), all);
    assert.equal(plugin.filter('t', batchOf([messages[0]!])), null);
  });
  it('several <regexp> are and-ed, several <exclude> or-ed', async () => {
    const { plugin } = await buildFilter('grep', {}, [cond('regexp', 'message', 'WARN'), cond('regexp', 'host', '^web')]);
    assert.deepEqual(kept(plugin.filter('t', batchOf(messages))), [messages[1]!.message, messages[3]!.message]);
    const ex = await buildFilter('grep', {}, [cond('exclude', 'message', 'INFO'), cond('exclude', 'host', 'db')]);
    assert.deepEqual(kept(ex.plugin.filter('t', batchOf(messages))), [messages[1]!.message, messages[3]!.message]);
  });
  it('<or> of <regexp>, <and> of <exclude>, nested keys', async () => {
    const or = await buildFilter('grep', {}, [element('or', {}, [cond('regexp', 'host', 'db'), cond('regexp', '$.nest.level', 'error')])]);
    assert.deepEqual(kept(or.plugin.filter('t', batchOf(messages))), [messages[2]!.message, messages[3]!.message]);
    const and = await buildFilter('grep', {}, [element('and', {}, [cond('exclude', 'host', 'web1'), cond('exclude', "$['nest']['level']", 'info')])]);
    assert.deepEqual(kept(and.plugin.filter('t', batchOf(messages))), messages.slice(1).map((m) => m.message));
  });
  it('matches non-strings by their Ruby to_s and missing keys as ""', async () => {
    const { plugin } = await buildFilter('grep', {}, [cond('regexp', 'n', '^4\\d$')]);
    assert.deepEqual(plugin.filter('t', batchOf([{ n: 42 }, { n: 5 }, {}]))!.records, [{ n: 42 }]);
    const empty = await buildFilter('grep', {}, [cond('exclude', 'missing', '^$')]);
    assert.equal(empty.plugin.filter('t', batchOf([{ a: 1 }])), null);
  });
  it('legacy regexpN/excludeN are converted; errors as Fluentd words them', async () => {
    const { plugin } = await buildFilter('grep', { regexp1: 'message WARN', exclude1: 'message favicon' });
    assert.deepEqual(kept(plugin.filter('t', batchOf(messages))), [messages[1]!.message, messages[3]!.message]);
    await assert.rejects(buildFilter('grep', { regexp1: 'message' }), /regexp1 does not contain 2 parameters/);
    await assert.rejects(buildFilter('grep', {}, [cond('regexp', 'a', 'x'), cond('regexp', 'a', 'y')]), /Duplicate key: a/);
    await assert.rejects(buildFilter('grep', {}, [element('and', {}, [cond('regexp', 'a', 'x'), cond('exclude', 'b', 'y')])]), /Do not specify both <regexp> and <exclude> in <and>/);
  });
});
