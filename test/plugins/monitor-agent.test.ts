import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { REPO_ROOT, startEngine, TEST_PLUGIN_DIR, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { flakyWrites } from '../helpers/plugins/out_flaky.ts';
import path from 'node:path';

// A real engine with three monitor_agents on loopback (port 0: the port is read from the start log line), an
// in_sample source, a filter, buffered outputs that never / always succeed, unbuffered capture outputs and a label.
const CONFIG = `
<source>
  @type monitor_agent
  @id monitor
  bind 127.0.0.1
  port 0
  include_config true
  include_retry true
</source>
<source>
  @type monitor_agent
  @id monitor_default
  bind 127.0.0.1
  port 0
  tag monitor.records
  emit_interval 0.2
</source>
<source>
  @type monitor_agent
  @id monitor_debug
  bind 127.0.0.1
  port 0
  include_debug_info true
</source>
<source>
  @type sample
  @id sample_in
  tag app.events
  rate 10
</source>
<filter app.**>
  @type record_transformer
  @id add_field
  <record>
    added yes
  </record>
</filter>
<match app.**>
  @type capture
  @id app_out
</match>
<match buf.stuck>
  @type flaky
  @id stuck
  token hunter2-secret
  <buffer>
    flush_mode immediate
    chunk_limit_records 1
    chunk_limit_size 256
    total_limit_size 1024
    retry_wait 3600
    retry_randomize false
  </buffer>
</match>
<match buf.ok>
  @type flaky
  @id ok
  fail_times 0
  <buffer>
    flush_mode immediate
  </buffer>
</match>
<match monitor.**>
  @type capture
  @id monitor_sink
</match>
<match other.**>
  @type relabel
  @label @aux
</match>
<label @aux>
  <match **>
    @type capture
    @id aux_out
  </match>
</label>
`;

type Plugin = Record<string, unknown> & { plugin_id: string };

let r: RunningEngine;
const ports: Record<string, number> = {};

async function get(monitor: string, pathAndQuery: string, init?: RequestInit): Promise<Response> {
  return fetch(`http://127.0.0.1:${ports[monitor]}${pathAndQuery}`, init);
}

async function plugins(monitor: string, query = ''): Promise<Plugin[]> {
  const res = await get(monitor, `/api/plugins.json${query}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  return ((await res.json()) as { plugins: Plugin[] }).plugins;
}

const byId = (list: Plugin[], id: string): Plugin => {
  const found = list.find((p) => p.plugin_id === id);
  assert.ok(found, `plugin ${id} in ${list.map((p) => p.plugin_id).join(',')}`);
  return found;
};

function batchOf(n: number): EventBatch {
  const batch = new EventBatch();
  for (let i = 1; i <= n; i++) batch.add(1_700_000_000 + i, 0, { n: i });
  return batch;
}

/** Ruby's Time#to_s, "2026-01-02 03:04:05 +0900", as epoch seconds. */
function rubyTimeToEpoch(text: unknown): number {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)$/.exec(String(text));
  assert.ok(m, `Ruby time string: ${String(text)}`);
  return Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`) / 1000;
}

describe('in_monitor_agent', () => {
  before(async () => {
    r = await startEngine(CONFIG);
    for (const id of ['monitor', 'monitor_default', 'monitor_debug']) {
      const line = r.logs.find((l) => l.plugin_id === id && l.msg.startsWith('listening monitoring http server'));
      assert.ok(line, `start log line of ${id}`);
      ports[id] = line.port as number;
      assert.ok(ports[id]! > 0);
    }
    await r.engine.emit(undefined, 'buf.stuck', batchOf(3));
    await r.engine.emit(undefined, 'buf.ok', batchOf(2));
    await r.engine.emit(undefined, 'other.x', EventBatch.single(1, 0, { n: 1 }));
    await r.waitForEvents('app_out', 3);
    await waitUntil(async () => byId(await plugins('monitor'), 'stuck').retry_count === 1, 5000, 'the stuck output to fail once');
    await waitUntil(() => flakyWrites.get('ok') === 1, 5000, 'the ok output to write its chunk');
  });
  after(async () => {
    await r?.stop();
  });

  it('lists the plugins in Fluentd\'s order: inputs, top-level outputs, top-level filters, then each label', async () => {
    const list = await plugins('monitor');
    assert.deepEqual(list.map((p) => [p.plugin_id, p.plugin_category, p.type, p.output_plugin]), [
      ['monitor', 'input', 'monitor_agent', false],
      ['monitor_default', 'input', 'monitor_agent', false],
      ['monitor_debug', 'input', 'monitor_agent', false],
      ['sample_in', 'input', 'sample', false],
      ['app_out', 'output', 'capture', true],
      ['stuck', 'output', 'flaky', true],
      ['ok', 'output', 'flaky', true],
      ['monitor_sink', 'output', 'capture', true],
      [list[8]!.plugin_id, 'output', 'relabel', true],
      ['add_field', 'filter', 'record_transformer', false],
      ['aux_out', 'output', 'capture', true],
    ]);
    assert.match(list[8]!.plugin_id, /^object:[0-9a-f]{12}$/, 'a plugin without @id has a generated id');
  });

  it('reports a stuck buffered output: queued chunks, bytes, retry count and retry state', async () => {
    const stuck = byId(await plugins('monitor'), 'stuck');
    // chunk_limit_records 1: three chunks; the first write failed and went back to the head of the queue, and
    // retry_wait 3600 holds the others.
    assert.equal(stuck.buffer_queue_length, 3);
    assert.equal(stuck.buffer_stage_length, 0);
    assert.equal(stuck.buffer_stage_byte_size, 0);
    assert.equal(typeof stuck.buffer_queue_byte_size, 'number');
    assert.ok((stuck.buffer_queue_byte_size as number) > 0);
    assert.equal(stuck.buffer_total_queued_size, stuck.buffer_queue_byte_size);
    assert.deepEqual(stuck.buffer_timekeys, []);
    assert.equal(stuck.emit_records, 3);
    assert.equal(stuck.write_count, 0);
    assert.equal(stuck.retry_count, 1);
    const queued = stuck.buffer_queue_byte_size as number;
    assert.equal(stuck.buffer_available_buffer_space_ratios, Math.round((1 - queued / 1024) * 1000) / 10);
    assert.ok((stuck.buffer_available_buffer_space_ratios as number) < 100);
    const retry = stuck.retry as { start: string; steps: number; next_time: string };
    assert.equal(retry.steps, 0, 'Fluentd\'s first retry state is step 0');
    const start = rubyTimeToEpoch(retry.start);
    assert.ok(Math.abs(start - Date.now() / 1000) < 60, `retry start ${retry.start} is now`);
    // Formatted to the second, so next_time - start is retry_wait give or take the rounding of each.
    assert.ok(Math.abs(rubyTimeToEpoch(retry.next_time) - start - 3600) <= 1, `next_time ${retry.next_time}`);
  });

  it('reports a healthy buffered output, unbuffered outputs, inputs and filters with their counters', async () => {
    const list = await plugins('monitor');
    const ok = byId(list, 'ok');
    assert.deepEqual(
      [ok.buffer_queue_length, ok.buffer_total_queued_size, ok.emit_records, ok.write_count, ok.retry_count, ok.retry],
      [0, 0, 2, 1, 0, {}],
    );
    assert.equal(ok.buffer_available_buffer_space_ratios, 100);
    const sampleIn = byId(list, 'sample_in');
    assert.ok((sampleIn.emit_records as number) >= 3, `sample emitted ${String(sampleIn.emit_records)}`);
    assert.equal(sampleIn.retry_count, null);
    assert.equal('retry' in sampleIn, false, 'inputs have no retry state');
    assert.equal('buffer_queue_length' in sampleIn, false);
    const filter = byId(list, 'add_field');
    assert.ok((filter.emit_records as number) >= 3);
    assert.equal(filter.retry_count, null);
    const appOut = byId(list, 'app_out');
    assert.ok((appOut.emit_records as number) >= 3);
    assert.ok((appOut.emit_count as number) >= 1);
    assert.equal(appOut.retry_count, 0);
    assert.deepEqual(appOut.retry, {});
    assert.equal('buffer_queue_length' in appOut, false, 'an unbuffered output has no buffer fields');
    assert.equal(byId(list, 'aux_out').emit_records, 1, 'the relabeled event reached the label\'s output');
  });

  it('shows each plugin\'s config with secrets masked, only when include_config is set', async () => {
    const res = await get('monitor', '/api/plugins.json');
    const body = await res.text();
    assert.equal(body.includes('hunter2'), false, 'the secret never leaves the process');
    const stuck = byId((JSON.parse(body) as { plugins: Plugin[] }).plugins, 'stuck');
    assert.deepEqual(stuck.config, { '@type': 'flaky', '@id': 'stuck', token: 'xxxxxx' });
    assert.deepEqual(byId(await plugins('monitor'), 'sample_in').config, { '@type': 'sample', '@id': 'sample_in', tag: 'app.events', rate: '10' });
    const ltsv = await (await get('monitor', '/api/plugins')).text();
    assert.equal(ltsv.includes('hunter2'), false);
  });

  it('leaves config and retry out by default, and the query cannot put them back (Fluentd >= 1.19.3)', async () => {
    for (const query of ['', '?with_config=true&with_retry=true', '?debug=1&with_ivars=buffer']) {
      const res = await get('monitor_default', `/api/plugins.json${query}`);
      const body = await res.text();
      assert.equal(body.includes('\n'), false, `not pretty-printed (${query})`);
      const list = (JSON.parse(body) as { plugins: Plugin[] }).plugins;
      assert.equal(list.length, 11);
      for (const p of list) {
        assert.deepEqual(['config', 'retry', 'instance_variables'].filter((k) => k in p), [], `${p.plugin_id} ${query}`);
      }
      assert.equal(byId(list, 'stuck').retry_count, 1);
    }
    // include_retry true but not include_config: the converse on the first agent.
    const list = await plugins('monitor', '?with_config=false&with_retry=false');
    assert.ok('config' in byId(list, 'stuck') && 'retry' in byId(list, 'stuck'), 'the query cannot hide them either');
  });

  it('pretty-prints with ?debug only when include_debug_info is set', async () => {
    const pretty = await (await get('monitor_debug', '/api/plugins.json?debug=1')).text();
    assert.match(pretty, /^\{\n {2}"plugins": \[\n/);
    const plain = await (await get('monitor_debug', '/api/plugins.json')).text();
    assert.match(plain, /^\{"plugins":\[\{/);
  });

  it('selects plugins with ?tag=, ?@id=, ?id=, ?@type= and ?type=', async () => {
    const ids = async (query: string) => (await plugins('monitor', query)).map((p) => p.plugin_id);
    assert.deepEqual(await ids('?tag=buf.stuck'), ['stuck']);
    assert.deepEqual(await ids('?tag=app.anything'), ['app_out'], 'the first top-level <match> that matches');
    assert.deepEqual(await ids('?tag=nothing.matches'), []);
    assert.deepEqual(await ids('?@id=ok'), ['ok']);
    assert.deepEqual(await ids('?id=add_field'), ['add_field']);
    assert.deepEqual(await ids('?@id=nope'), []);
    assert.deepEqual(await ids('?@type=flaky'), ['stuck', 'ok']);
    assert.deepEqual(await ids('?type=capture'), ['app_out', 'monitor_sink', 'aux_out']);
    assert.deepEqual(await ids('?tag=buf.ok&@id=stuck'), ['ok'], '?tag= wins over ?@id=, as in Fluentd');
  });

  it('serves the same records as LTSV on /api/plugins', async () => {
    const res = await get('monitor', '/api/plugins?@id=stuck');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    const text = await res.text();
    assert.ok(text.endsWith('\n'));
    const fields = text.trimEnd().split('\t');
    assert.deepEqual(fields.slice(0, 7), [
      'plugin_id:stuck', 'plugin_category:output', 'type:flaky', 'output_plugin:true',
      'buffer_queue_length:3', 'buffer_timekeys:', `buffer_total_queued_size:${byId(await plugins('monitor'), 'stuck').buffer_total_queued_size}`,
    ]);
    assert.ok(fields.includes('retry_count:1'));
    assert.equal(fields.some((f) => f.startsWith('config:') || f.startsWith('retry:')), false, 'hashes are left out');
    const inputLine = (await (await get('monitor', '/api/plugins?@id=sample_in')).text()).split('\t');
    assert.ok(inputLine.includes('retry_count:'), 'a nil retry_count prints empty');
    assert.ok(inputLine.includes('buffer_queue_length:3') === false);
  });

  it('serves the agent\'s options on /api/config.json and /api/config', async () => {
    const res = await get('monitor', '/api/config.json');
    assert.equal(res.status, 200);
    const config = (await res.json()) as Record<string, unknown>;
    assert.equal(config.pid, process.pid);
    assert.equal(config.ppid, process.ppid);
    assert.equal(config.config_path, path.join(REPO_ROOT, 'test.conf'));
    assert.deepEqual((config.plugin_dirs as string[])[0], TEST_PLUGIN_DIR);
    assert.equal((config.plugin_dirs as string[]).at(-1), path.join(REPO_ROOT, 'plugins'));
    assert.equal(config.without_source, false);
    assert.equal(config.root_dir, null);
    assert.match(String(config.version), /^\d+\.\d+\.\d+/);
    const ltsv = await (await get('monitor', '/api/config')).text();
    assert.ok(ltsv.startsWith(`pid:${process.pid}\tppid:${process.ppid}\tversion:`), ltsv);
    assert.ok(ltsv.includes(`\tplugin_dirs:${TEST_PLUGIN_DIR},`), 'arrays joined by commas');
  });

  it('answers 404 {"message":"Not found"} to other paths and methods', async () => {
    for (const [p, method] of [['/api/plugins.json/not_found', 'GET'], ['/', 'GET'], ['/api/plugins.json', 'POST']] as const) {
      const res = await get('monitor', p, { method });
      assert.equal(res.status, 404, `${method} ${p}`);
      assert.deepEqual(await res.json(), { message: 'Not found' });
    }
  });

  it('with tag, emits every plugin\'s record (without config and retry) every emit_interval', async () => {
    const events = await r.waitForEvents('monitor_sink', 22, 5000);
    assert.ok(events.every((e) => e.tag === 'monitor.records'));
    assert.equal(events.length % 11, 0, 'each round is one batch of every plugin');
    const last = events.slice(-11).map((e) => e.record as Plugin);
    assert.deepEqual(last.map((p) => p.plugin_id).slice(0, 8), ['monitor', 'monitor_default', 'monitor_debug', 'sample_in', 'app_out', 'stuck', 'ok', 'monitor_sink']);
    const stuck = byId(last, 'stuck');
    assert.equal(stuck.buffer_queue_length, 3);
    assert.equal('config' in stuck || 'retry' in stuck, false);
    // Two rounds: the second started at least an interval after the first.
    assert.ok(events[11]!.sec + events[11]!.nsec / 1e9 - (events[0]!.sec + events[0]!.nsec / 1e9) >= 0.15);
  });
});
