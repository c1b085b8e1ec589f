import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, type RunningEngine } from '../helpers/harness.ts';

const running: RunningEngine[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

async function engineFor(config: string): Promise<RunningEngine> {
  const r = await startEngine(config);
  running.push(r);
  return r;
}

function emit(r: RunningEngine, tag: string, ...records: Array<Record<string, unknown>>): Promise<void> {
  const batch = new EventBatch();
  for (const record of records) batch.add(1700000000, 5, record);
  return r.engine.emit(undefined, tag, batch);
}

test('the first matching <match> wins and only filters written before it apply, in order', async () => {
  const r = await engineFor(`
<filter app.**>
  @type record_transformer
  <record>
    step1 seen
  </record>
</filter>
<match app.web>
  @type capture
  @id first
</match>
<filter app.**>
  @type record_transformer
  <record>
    step2 seen
  </record>
</filter>
<match app.**>
  @type capture
  @id second
</match>
`);
  await emit(r, 'app.web', { n: 1 });
  await emit(r, 'app.db', { n: 2 });
  assert.deepEqual(r.events('first').map((e) => e.record), [{ n: 1, step1: 'seen' }]);
  assert.deepEqual(r.events('second').map((e) => e.record), [{ n: 2, step1: 'seen', step2: 'seen' }]);
  assert.deepEqual(r.engine.route('app.web'), { filters: ['filter[0]'], match: 'first' });
  assert.deepEqual(r.engine.route('app.db'), { filters: ['filter[0]', 'filter[2]'], match: 'second' });
  assert.deepEqual(r.engine.route('other'), { filters: [], match: null });
});

test('event time keeps nanoseconds through the router', async () => {
  const r = await engineFor(`
<match t>
  @type capture
  @id nanos
</match>`);
  await emit(r, 't', { a: 1 });
  const [event] = r.events('nanos');
  assert.equal(event?.sec, 1700000000);
  assert.equal(event?.nsec, 5);
});

test('unmatched tags are warned about at counts 1, 2, 4, ...', async () => {
  const r = await engineFor(`
<match nothing>
  @type capture
</match>`);
  for (let i = 0; i < 5; i++) await emit(r, 'lost', { i });
  const warns = r.logs.filter((l) => l.msg === 'no patterns matched');
  assert.deepEqual(warns.map((w) => w.count), [1, 2, 4]);
});

test('labels: @label on a source and relabel route into <label>, never through top-level rules', async () => {
  const r = await engineFor(`
<source>
  @type sample
  @label @STAGED
  tag staged.t
  sample {"hello":"world"}
  rate 50
</source>
<match staged.**>
  @type capture
  @id top
</match>
<label @STAGED>
  <match staged.**>
    @type relabel
    @label @FINAL
  </match>
</label>
<label @FINAL>
  <match **>
    @type capture
    @id final
  </match>
</label>`);
  const events = await r.waitForEvents('final', 2);
  assert.deepEqual(events[0]?.record, { hello: 'world' });
  assert.equal(events[0]?.tag, 'staged.t');
  assert.equal(r.events('top').length, 0);
});

test('records a plugin rejects go to the @ERROR label with their content', async () => {
  const r = await engineFor(`
<match in>
  @type capture
  @id never
</match>
<label @ERROR>
  <match **>
    @type capture
    @id errors
  </match>
</label>`);
  r.engine.emitError('in', 1, 0, { raw: 'bad line' }, new Error('pattern not matched'), 'test');
  const [event] = await r.waitForEvents('errors', 1);
  assert.deepEqual(event?.record, { raw: 'bad line' });
});

test('without an @ERROR label an error event is logged with its record', async () => {
  const r = await engineFor(`
<match **>
  @type capture
</match>`);
  r.engine.emitError('in', 1, 0, { raw: 'bad line' }, new Error('pattern not matched'), 'test');
  const dump = r.logs.find((l) => l.msg === 'dump an error event');
  assert.deepEqual(dump?.record, { raw: 'bad line' });
  assert.equal(dump?.error, 'pattern not matched');
});

test('copy sends to every <store>; ignore_error keeps going past a failing store', async () => {
  const r = await engineFor(`
<match c.**>
  @type copy
  copy_mode deep
  <store ignore_error>
    @type capture
    @id failing
    fail_times 1
  </store>
  <store>
    @type capture
    @id b
  </store>
</match>`);
  await emit(r, 'c.x', { v: 1 });
  await emit(r, 'c.x', { v: 2 });
  assert.deepEqual(r.events('b').map((e) => e.record.v), [1, 2]);
  assert.deepEqual(r.events('failing').map((e) => e.record.v), [2]);
  assert.notEqual(r.events('b')[0]!.record, r.events('failing')[0]?.record);
});

test('a failing <store> without ignore_error fails the emit so the input keeps its data', async () => {
  const r = await engineFor(`
<match c.**>
  @type copy
  <store>
    @type capture
    fail_times 1
  </store>
</match>`);
  await assert.rejects(emit(r, 'c.x', { v: 1 }), /injected failure/);
});

test('a failed emit is warned as "emit transaction failed", at most once per <system> emit_error_log_interval, and still rejects', async () => {
  const failing = (system: string) => `
${system}
<match app.**>
  @type capture
  @id emitfail
  fail_times 3
</match>`;
  const every = await engineFor(failing(''));
  for (let i = 0; i < 3; i++) await assert.rejects(emit(every, 'app.x', { n: i }), /injected failure/);
  assert.equal(every.logs.filter((e) => e.msg === 'emit transaction failed').length, 3);
  const throttled = await engineFor(failing('<system>\n  emit_error_log_interval 60s\n</system>'));
  for (let i = 0; i < 3; i++) await assert.rejects(emit(throttled, 'app.x', { n: i }), /injected failure/);
  const warned = throttled.logs.filter((e) => e.msg === 'emit transaction failed');
  assert.equal(warned.length, 1);
  assert.equal(warned[0]!.level, 'warn');
  assert.equal(warned[0]!.tag, 'app.x');
  await emit(throttled, 'app.x', { n: 3 });
  assert.deepEqual(throttled.events('emitfail').map((e) => e.record.n), [3]);
});
