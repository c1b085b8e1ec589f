import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, type RunningEngine } from '../helpers/harness.ts';

const running: RunningEngine[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

test('filter parser: parses key_name, reserve_data keeps the rest, a failure goes to @ERROR with the record', async () => {
  const r = await startEngine(`
<filter raw.**>
  @type parser
  key_name log
  reserve_data true
  <parse>
    @type nginx
  </parse>
</filter>
<match raw.**>
  @type capture
  @id parsed
</match>
<label @ERROR>
  <match **>
    @type capture
    @id errors
  </match>
</label>`);
  running.push(r);
  const batch = new EventBatch();
  batch.add(1, 0, { log: '10.0.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET /x HTTP/1.1" 200 5 "-" "ua"', server: 'web' });
  batch.add(1, 0, { log: 'garbage', server: 'web' });
  await r.engine.emit(undefined, 'raw.nginx', batch);
  const [ok] = r.events('parsed');
  assert.equal(ok?.record.path, '/x');
  assert.equal(ok?.record.server, 'web');
  assert.equal(ok?.record.log, batch.records[0]!.log);
  assert.equal(ok?.sec, Date.parse('2013-02-28T03:00:00Z') / 1000);
  const [bad] = await r.waitForEvents('errors', 1);
  assert.equal(bad?.record.log, 'garbage');
});
