import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { makeCerts, startReceiver } from './forward-helpers.ts';

const batchOf = (from: number, n: number) => {
  const b = new EventBatch();
  for (let i = from; i < from + n; i++) b.add(1700000000 + i, i, { seq: i });
  return b;
};

const receiverConf = (id: string, extra = '', port = 0) => `
<source>
  @type forward
  port ${port}
  bind 127.0.0.1
  ${extra}
</source>
<match **>
  @type capture
  @id ${id}
</match>`;

const senderConf = (servers: string, extra = '', buffer = '') => `
<match **>
  @type forward
  @id fwd
  heartbeat_interval 0.2
  recover_wait 0.4
  ${extra}
  ${servers}
  <buffer tag>
    @type memory
    flush_mode interval
    flush_interval 0.1
    retry_wait 0.2
    retry_max_interval 0.5
    ${buffer}
  </buffer>
</match>`;

const server = (port: number, extra = '') => `<server>\n host 127.0.0.1\n port ${port}\n ${extra}\n</server>`;
const running: RunningEngine[] = [];
after(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => {});
});
async function start<T extends RunningEngine>(p: Promise<T>): Promise<T> {
  const r = await p;
  running.push(r);
  return r;
}

describe('out_forward -> in_forward', () => {
  it('require_ack_response with gzip: every event arrives once, tag, time and nanoseconds intact', async () => {
    const rx = await start(startReceiver(receiverConf('rx1')));
    const tx = await start(startEngine(senderConf(server(rx.port), 'require_ack_response true\ncompress gzip')));
    await tx.engine.emit(undefined, 'app.one', batchOf(0, 500));
    await tx.engine.emit(undefined, 'app.two', batchOf(500, 500));
    const got = await rx.waitForEvents('rx1', 1000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.events('rx1').length, 1000);
    const seqs = got.map((e) => e.record.seq as number).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 1000 }, (_, i) => i));
    const e = got.find((x) => x.record.seq === 777)!;
    assert.deepEqual([e.tag, e.sec, e.nsec], ['app.two', 1700000777, 777]);
    await waitUntil(() => tx.engine.agentView.plugins().find((p) => p.id === 'fwd')!.buffer!.queueLength === 0, 3000, 'the sender buffer to empty');
  });

  it('shared key and TLS: the handshake and certificate check pass, events arrive', async () => {
    const tmp = tempDir('logferry-fwd-tls-');
    try {
      const certs = makeCerts(tmp.dir);
      const rx = await start(startReceiver(receiverConf('rx2', `
  <security>
    self_hostname aggregator
    shared_key s3cret
  </security>
  <transport tls>
    cert_path ${certs.cert}
    private_key_path ${certs.key}
    private_key_passphrase ${certs.passphrase}
  </transport>`)));
      const tx = await start(startEngine(senderConf(server(rx.port), `
  transport tls
  tls_ca_cert_path ${certs.ca}
  require_ack_response true
  <security>
    self_hostname agent
    shared_key s3cret
  </security>`)));
      await tx.engine.emit(undefined, 'secure', batchOf(0, 100));
      await rx.waitForEvents('rx2', 100);
      assert.equal(rx.events('rx2').length, 100);
    } finally {
      tmp.cleanup();
    }
  });

  it('a wrong shared key delivers nothing: the chunk stays in the buffer and the refusal is logged', async () => {
    const rx = await start(startReceiver(receiverConf('rx3', `
  <security>
    self_hostname aggregator
    shared_key right
  </security>`)));
    const tx = await start(startEngine(senderConf(server(rx.port), `
  require_ack_response true
  heartbeat_type none
  <security>
    self_hostname agent
    shared_key wrong
  </security>`)));
    await tx.engine.emit(undefined, 'denied', batchOf(0, 10));
    await waitUntil(() => tx.logs.some((l) => /shared_key mismatch/.test(JSON.stringify(l))), 5000, 'the refusal in the sender log');
    assert.equal(rx.events('rx3').length, 0);
    assert.ok(tx.engine.agentView.plugins().find((p) => p.id === 'fwd')!.buffer!.queueLength >= 1);
  });

  it('weights spread chunks over servers; a standby server takes nothing while they are up', async () => {
    const a = await start(startReceiver(receiverConf('wa')));
    const b = await start(startReceiver(receiverConf('wb')));
    const s = await start(startReceiver(receiverConf('ws')));
    const tx = await start(startEngine(senderConf(`${server(a.port, 'weight 60')}\n${server(b.port, 'weight 60')}\n${server(s.port, 'standby true')}`, 'heartbeat_type none')));
    for (let i = 0; i < 40; i++) {
      await tx.engine.emit(undefined, `w.${i}`, batchOf(i * 10, 10));
    }
    await waitUntil(() => a.events('wa').length + b.events('wb').length >= 400, 10_000, 'all 400 events');
    assert.ok(a.events('wa').length > 0 && b.events('wb').length > 0, `both regular servers got chunks (${a.events('wa').length}, ${b.events('wb').length})`);
    assert.equal(s.events('ws').length, 0);
  });

  it('the standby server takes over when the regular one is detached', async () => {
    const reg = await start(startReceiver(receiverConf('reg')));
    const stby = await start(startReceiver(receiverConf('stby')));
    const tx = await start(startEngine(senderConf(`${server(reg.port)}\n${server(stby.port, 'standby true')}`, 'hard_timeout 0.6\nphi_failure_detector false\nrequire_ack_response true')));
    await reg.stop();
    await waitUntil(() => tx.logs.some((l) => /detached forwarding server '127\.0\.0\.1:\d+'/.test(l.msg)), 5000, 'the regular server to be detached');
    await tx.engine.emit(undefined, 'failover', batchOf(0, 20));
    await stby.waitForEvents('stby', 20, 5000);
    assert.ok(tx.logs.some((l) => /using standby node/.test(l.msg)));
  });

  it('an aggregator that is down and comes back on the same port: nothing is lost', async () => {
    const first = await startReceiver(receiverConf('down1'));
    const port = first.port;
    await first.stop();
    const tx = await start(startEngine(senderConf(server(port), 'require_ack_response true\nack_response_timeout 2\nhard_timeout 1')));
    await tx.engine.emit(undefined, 'later', batchOf(0, 300));
    await new Promise((r) => setTimeout(r, 800));
    await tx.engine.emit(undefined, 'later', batchOf(300, 300));
    const back = await start(startReceiver(receiverConf('down2', '', port)));
    await back.waitForEvents('down2', 600, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const seqs = new Set(back.events('down2').map((e) => e.record.seq));
    assert.equal(seqs.size, 600);
    assert.equal(back.events('down2').length, 600);
  });

  it('refuses configs as Fluentd does', async () => {
    await assert.rejects(startEngine(senderConf('')), /requires at least one node/);
    await assert.rejects(startEngine(senderConf(server(1), 'read_length 1024')), /read_length.*not supported/s);
    await assert.rejects(startEngine(senderConf(server(1), 'compress zstd')), /zstd/);
    await assert.rejects(startEngine(senderConf(server(1), 'dns_round_robin true\nheartbeat_type udp')), /dns_round_robin/);
  });
});

describe('out_forward heartbeats', () => {
  it('udp heartbeats keep a server attached, and a silent one is detached', async () => {
    const rx = await start(startReceiver(receiverConf('hb')));
    const tx = await start(startEngine(senderConf(`${server(rx.port)}\n${server(1, 'name silent')}`, 'heartbeat_type udp\nhard_timeout 0.8\nphi_failure_detector false')));
    await waitUntil(() => tx.logs.some((l) => l.msg === "detached forwarding server 'silent'"), 5000, 'the silent server to be detached');
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(!tx.logs.some((l) => l.msg === `detached forwarding server '127.0.0.1:${rx.port}'`));
    await tx.engine.emit(undefined, 'hb', batchOf(0, 5));
    await rx.waitForEvents('hb', 5);
  });
});
