import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEngine } from '../helpers/harness.ts';

test("v0.12 'type' and 'id' (without @) are read as @type and @id, each with Fluentd's deprecation warning", async () => {
  const r = await startEngine(`
<source>
  type sample
  tag v012
  rate 20
  sample {"hello":"world"}
</source>
<match v012>
  type copy
  <store>
    type capture
    id v012_capture
  </store>
</match>`);
  try {
    const events = await r.waitForEvents('v012_capture', 2);
    assert.deepEqual(events[0]!.record, { hello: 'world' });
    assert.equal(events[0]!.tag, 'v012');
    const warns = r.logs.filter((l) => l.level === 'warn' && /is deprecated parameter name/.test(l.msg)).map((l) => l.msg);
    assert.deepEqual(warns.sort(), [
      "'id' is deprecated parameter name. use '@id' instead.",
      "'type' is deprecated parameter name. use '@type' instead.",
      "'type' is deprecated parameter name. use '@type' instead.",
      "'type' is deprecated parameter name. use '@type' instead.",
    ]);
  } finally {
    await r.stop();
  }
});
