import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pack } from 'msgpackr';
import { Engine } from '../../src/engine/engine.ts';
import { SAMPLES_DIR, memoryLogger, startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const AWK = `awk -v OFS='\\t' '{print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}'`;
const tmp = tempDir('logferry-in-exec-');
after(tmp.cleanup);

const running: RunningEngine[] = [];
after(async () => {
  for (const r of running) await r.stop();
});

async function start(config: string): Promise<RunningEngine> {
  const r = await startEngine(config);
  running.push(r);
  return r;
}

const source = (body: string, match = 'capture', id = `cap_${Math.random().toString(36).slice(2)}`) => ({
  id,
  config: `<source>\n  @type exec\n${body}\n</source>\n<match **>\n  @type ${match}\n  @id ${id}\n</match>\n`,
});

describe('in_exec: the seed system\'s netstat source, byte for byte', () => {
  it('netstat | awk | tsv with 8 keys gives Fluentd\'s records, quirks included', async () => {
    const { id, config } = source(`  command cat ${SAMPLES_DIR}/netstat-tulpn.txt | ${AWK}
  tag netstat
  <parse>
    @type tsv
    keys protocol,recv,send,local_address,foreign_address,state,process,name
  </parse>`);
    const r = await start(config);
    const events = await r.waitForEvents(id, 9);
    assert.ok(events.every((e) => e.tag === 'netstat'));
    const json = events.map((e) => JSON.stringify(e.record));
    // seed-system.md 1.2: records Fluentd wrote for these lines (Ruby's String#split("\t", 8))
    assert.deepEqual(json.slice(0, 3), [
      '{"protocol":"Active","recv":"Internet","send":"connections","local_address":"(only","foreign_address":"servers)","state":"","process":"","name":"\\t\\t"}',
      '{"protocol":"Proto","recv":"Recv-Q","send":"Send-Q","local_address":"Local","foreign_address":"Address","state":"Foreign","process":"Address","name":"State\\tPID/Program\\tname"}',
      '{"protocol":"tcp","recv":"0","send":"0","local_address":"0.0.0.0:22","foreign_address":"0.0.0.0:*","state":"LISTEN","process":"700/sshd:","name":"/usr/sbin\\t\\t"}',
    ]);
    assert.equal(json[6], '{"protocol":"tcp6","recv":"0","send":"0","local_address":":::22","foreign_address":":::*","state":"LISTEN","process":"700/sshd:","name":"/usr/sbin\\t\\t"}');
    assert.equal(json[7], '{"protocol":"udp","recv":"0","send":"0","local_address":"127.0.0.53:53","foreign_address":"0.0.0.0:*","state":"583/systemd-resolve","process":"","name":"\\t\\t"}');
    const now = Date.now() / 1000;
    assert.ok(events.every((e) => Math.abs(e.sec - now) < 10), 'no time field: the event time is now');
  });
});

describe('in_exec: Fluentd\'s formats and options (test_in_exec.rb)', () => {
  it('tsv with <extract> tag_key and a string time', async () => {
    const { id, config } = source(`  command printf '2011-01-02 13:14:15\\ttag1\\tok\\n'
  <parse>
    @type tsv
    keys time,tag,k1
  </parse>
  <extract>
    tag_key tag
    time_key time
    time_format %Y-%m-%d %H:%M:%S
    timezone +09:00
  </extract>`);
    const [event] = await (await start(config)).waitForEvents(id, 1);
    assert.deepEqual(event, { tag: 'tag1', sec: Date.UTC(2011, 0, 2, 4, 14, 15) / 1000, nsec: 0, record: { k1: 'ok' } });
  });
  it('json documents (pretty-printed or not), tag and unixtime time from the record', async () => {
    const { id, config } = source(`  command printf '{"tag":"tag1","time":1293974055,"k1":"ok"}\\n{\\n  "tag": "tag2",\\n  "k1": "ok2"\\n}'
  <parse>
    @type json
  </parse>
  <extract>
    tag_key tag
    time_key time
    time_type unixtime
  </extract>`);
    const events = await (await start(config)).waitForEvents(id, 2);
    assert.deepEqual(events[0], { tag: 'tag1', sec: 1293974055, nsec: 0, record: { k1: 'ok' } });
    assert.equal(events[1]!.tag, 'tag2');
    assert.deepEqual(events[1]!.record, { k1: 'ok2' });
  });
  it('msgpack output', async () => {
    const bytes = pack({ tagger: 'tag1', datetime: 1293974055, k1: 'ok' });
    const octal = [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    const { id, config } = source(`  command printf '${octal}'
  <parse>
    @type msgpack
  </parse>
  <extract>
    tag_key tagger
    time_key datetime
    time_type unixtime
  </extract>`);
    const [event] = await (await start(config)).waitForEvents(id, 1);
    assert.deepEqual(event, { tag: 'tag1', sec: 1293974055, nsec: 0, record: { k1: 'ok' } });
  });
  it('v0.12 style: format json, tag_key, time_key on the source', async () => {
    const { id, config } = source(`  command printf '{"tag":"tag1","time":1293974055,"k1":"ok"}'
  format json
  tag_key tag
  time_key time`);
    const [event] = await (await start(config)).waitForEvents(id, 1);
    assert.deepEqual(event, { tag: 'tag1', sec: 1293974055, nsec: 0, record: { k1: 'ok' } });
  });
  it('connect_mode read_with_stderr parses stderr too', async () => {
    const { id, config } = source(`  command echo oops >&2
  tag test
  connect_mode read_with_stderr
  <parse>
    @type none
  </parse>`);
    const [event] = await (await start(config)).waitForEvents(id, 1);
    assert.deepEqual(event!.record, { message: 'oops' });
  });
  it('non-ASCII output', async () => {
    const { id, config } = source(`  command echo 'ひらがな漢字'
  tag test
  encoding utf-8
  <parse>
    @type none
  </parse>`);
    const [event] = await (await start(config)).waitForEvents(id, 1);
    assert.deepEqual(event!.record, { message: 'ひらがな漢字' });
  });
  it('configuration errors: no tag nor tag_key, an unknown encoding, check_diff without a fixed tag', async () => {
    const build = (body: string) => Engine.fromConfigString(source(body).config, path.join(tmp.dir, 'x.conf'), { log: memoryLogger().log });
    await assert.rejects(build(`  command echo\n  <parse>\n    keys y1\n  </parse>`), /'tag' or 'tag_key' option is required on exec input/);
    await assert.rejects(build(`  command echo\n  tag t\n  encoding invalid-encode\n  <parse>\n    @type none\n  </parse>`), /unknown encoding name - invalid-encode/);
    await assert.rejects(build(`  command echo\n  check_diff true\n  <parse>\n    @type none\n  </parse>\n  <extract>\n    tag_key t\n  </extract>`), /check_diff needs a fixed tag/);
    await assert.rejects(build(`  command echo\n  tag t\n  run_interval 0\n  <parse>\n    @type none\n  </parse>`), /run_interval must be greater than 0/);
  });
});

describe('in_exec + @type netstat', () => {
  it('captured ss output: one record per socket, headers skipped, optional port and process fields', async () => {
    const { id, config } = source(`  command cat ${FIXTURES}/ss-tulpn-root.txt ${FIXTURES}/netstat-tulpn-root.txt
  tag netstat
  <parse>
    @type netstat
    add_port_fields true
    add_process_list true
  </parse>`);
    const r = await start(config);
    const events = await r.waitForEvents(id, 26);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.events(id).length, 26, 'three header lines gave no event');
    assert.equal(r.logs.filter((l) => l.msg === 'dump an error event').length, 0, 'and no error either');
    const nginx = events.find((e) => e.record.local_address === '0.0.0.0:8081' && e.record.protocol === 'tcp' && e.record.state === 'LISTEN' && Array.isArray(e.record.processes) && (e.record.processes as string[]).length === 2)!;
    assert.deepEqual(nginx.record, {
      protocol: 'tcp', recv: '0', send: '511', local_address: '0.0.0.0:8081', foreign_address: '0.0.0.0:*', state: 'LISTEN',
      process: '12126', name: 'nginx: master p', local_ip: '0.0.0.0', local_port: 8081,
      processes: ['12126/nginx: master p', '12135/nginx: worker p'],
    });
    const v6 = events.find((e) => e.record.local_address === 'fe80::fc:ff:fe00:1:546')!;
    assert.deepEqual([v6.record.state, v6.record.local_ip, v6.record.local_port], ['', 'fe80::fc:ff:fe00:1', 546]);
  });
  it('a line of neither tool goes to the error route with its raw text', async () => {
    const { id, config } = source(`  command printf 'garbage here\\ntcp 0 0 1.2.3.4:5 0.0.0.0:* LISTEN 1/x\\n'
  tag netstat
  <parse>
    @type netstat
  </parse>`);
    const r = await start(config);
    await r.waitForEvents(id, 1);
    await waitUntil(() => r.logs.some((l) => l.msg === 'dump an error event'), 3000, 'the error event');
    const dumped = r.logs.find((l) => l.msg === 'dump an error event')!;
    assert.deepEqual(dumped.record, { unmatched_line: 'garbage here' });
  });
});

// The real thing: sockets opened and closed by this test, seen by ss (and netstat) through the exec source.
describe('check_diff on the live socket table', () => {
  const tools = ['ss -tulpn', ...(hasCommand('netstat') ? ['netstat -tulpn'] : [])];
  for (const command of tools) {
    it(`${command}: the change records name the opened, then the closed TCP and UDP ports`, async () => {
      const rootDir = path.join(tmp.dir, command.split(' ')[0]!);
      const { id, config } = source(`  @id ports_${command.split(' ')[0]}
  command ${command}
  run_interval 0.25
  tag ports
  check_diff true
  diff_keys protocol,local_address
  <parse>
    @type netstat
  </parse>`);
      const r = await start(`<system>\n  root_dir ${rootDir}\n</system>\n${config}`);
      const changes = () => r.events(id).filter((e) => e.tag === 'ports.changes').map((e) => e.record as { added: Record<string, unknown>[]; removed: Record<string, unknown>[] });
      const snapshotFile = path.join(rootDir, 'worker0', `ports_${command.split(' ')[0]}`, 'exec_diff_snapshot.json');
      await waitUntil(() => existsSync(snapshotFile), 5000, 'the baseline, persisted under root_dir');

      const tcp = await listenTcp();
      const udp = await bindUdp();
      const tcpAddress = `127.0.0.1:${(tcp.address() as { port: number }).port}`;
      const udpAddress = `127.0.0.1:${udp.address().port}`;
      const opened = (proto: string, address: string) =>
        changes().flatMap((c) => c.added).find((s) => String(s.protocol).startsWith(proto) && s.local_address === address);
      await waitUntil(() => opened('tcp', tcpAddress) !== undefined && opened('udp', udpAddress) !== undefined, 5000, 'the opened ports');
      assert.equal(opened('tcp', tcpAddress)!.state, 'LISTEN');
      assert.equal(opened('tcp', tcpAddress)!.process, String(process.pid));
      assert.equal(opened('udp', udpAddress)!.process, String(process.pid));

      await new Promise<void>((res) => tcp.close(() => res()));
      await new Promise<void>((res) => udp.close(() => res()));
      const closed = (address: string) => changes().flatMap((c) => c.removed).some((s) => s.local_address === address);
      await waitUntil(() => closed(tcpAddress) && closed(udpAddress), 5000, 'the closed ports');
      const last = r.events(id).filter((e) => e.tag === 'ports').slice(-1)[0]!.record;
      assert.ok(last.local_address !== undefined, 'snapshot records are sockets');
    });
  }
});

function hasCommand(name: string): boolean {
  try {
    execFileSync('/bin/sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function listenTcp(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function bindUdp(): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}
