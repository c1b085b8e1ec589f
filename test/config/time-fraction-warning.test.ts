import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEngine } from '../helpers/harness.ts';

test('a time with a fraction and a unit (0.5s) is read as Fluentd reads it (5 s), with a warn line saying so', async () => {
  const r = await startEngine(`
<match x>
  @type null
  <buffer>
    retry_wait 0.5s
    retry_max_interval 1.5m
    flush_interval 2
  </buffer>
</match>`);
  try {
    const warns = r.logs.filter((l) => l.level === 'warn' && /is read as/.test(l.msg)).map((l) => l.msg);
    assert.equal(warns.length, 2, JSON.stringify(warns));
    assert.match(warns[0]!, /^retry_wait 0\.5s is read as 5 seconds, as Fluentd reads it .* retry_wait 0\.5$/);
    assert.match(warns[1]!, /^retry_max_interval 1\.5m is read as 300 seconds.* retry_max_interval 90$/);
  } finally {
    await r.stop();
  }
});
