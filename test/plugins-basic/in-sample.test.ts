import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InputDefinition } from '../../src/plugin-api/types.ts';
import { readSection } from '../../src/plugin-api/read-section.ts';
import sample from '../../plugins/in_sample.ts';
import dummy from '../../plugins/in_dummy.ts';
import { element, testContext, testLogger } from '../formatter/plugin-builder.ts';

async function build(attrs: Record<string, string>) {
  const { log } = testLogger();
  const ctx = testContext(log);
  const conf = element('source', { '@type': 'sample', ...attrs });
  const def = sample as InputDefinition;
  return { input: await def.create(ctx, readSection(def.params, conf, { log }), conf), ctx };
}

describe('in_sample / in_dummy', () => {
  it('is one plugin under both names', () => {
    assert.equal(sample.type, 'sample');
    assert.equal(dummy.type, 'dummy');
    assert.equal(dummy.create, sample.create);
  });
  it('emits rate x size events per second, cycling the samples, with an auto-increment key', async () => {
    const { input, ctx } = await build({ tag: 'demo', rate: '20', size: '2', auto_increment_key: 'id', dummy: '[{"n":"a"},{"n":"b"}]' });
    const started = Date.now();
    await input.start();
    await new Promise((r) => setTimeout(r, 550));
    await input.shutdown();
    const records = ctx.emitted.flatMap((e) => e.batch.records);
    assert.ok(ctx.emitted.every((e) => e.tag === 'demo'));
    // 20/s in bins of 2 streams x 2 events every 100 ms: 4 per bin, about 5 bins in 550 ms
    assert.ok(records.length >= 12 && records.length <= 24, `got ${records.length}`);
    assert.deepEqual(records.slice(0, 4), [{ n: 'a', id: 0 }, { n: 'b', id: 1 }, { n: 'a', id: 2 }, { n: 'b', id: 3 }]);
    const secs = ctx.emitted[0]!.batch.secs;
    assert.ok(Math.abs(secs[0]! - started / 1000) < 2);
  });
  it('rejects samples that are not hashes', async () => {
    await assert.rejects(build({ tag: 't', sample: '[1]' }), /0th element of sample, 1, is not a hash/);
    await assert.rejects(build({ tag: 't', sample: '{bad' }), /JSON::ParserError/);
    await assert.rejects(build({}), /tag/);
  });
});
