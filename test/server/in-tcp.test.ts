import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { memoryLogger, sleep, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { makeCerts } from '../forward/forward-helpers.ts';
import { smallBufferMatch, startListener, tcpConnect, tcpSend } from './helpers.ts';

type Rx = RunningEngine & { port: number };

describe('in_tcp', () => {
  let rx: Rx;
  before(async () => {
    rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag tcp.json
  source_address_key addr
  source_hostname_key host
  message_length_limit 100
  <parse>
    @type json
  </parse>
</source>
<match tcp.**>
  @type capture
  @id tcp
</match>
<label @ERROR>
  <match **>
    @type capture
    @id tcp_errors
  </match>
</label>`, 'listening tcp socket');
  });
  after(() => rx.stop());

  it('parses each line (split anywhere across writes) and adds the source address and host name', async () => {
    await tcpSend(rx.port, '{"a":1}\n{"a"', ':2}\n{"a":3,"time":1700000000}\n');
    const got = await rx.waitForEvents('tcp', 3);
    assert.deepEqual(got.map((e) => e.record.a), [1, 2, 3]);
    assert.equal(got[0]!.tag, 'tcp.json');
    assert.equal(got[0]!.record.addr, '127.0.0.1');
    assert.equal(typeof got[0]!.record.host, 'string');
    assert.ok((got[0]!.record.host as string).length > 0);
    assert.ok(got[0]!.sec > 1_700_000_000);
    assert.equal(got[2]!.sec, 1700000000);
  });

  it('sends an unparsable line to @ERROR with its text and keeps the connection', async () => {
    const before = rx.events('tcp').length;
    await tcpSend(rx.port, 'not json\n{"b":1}\n');
    const errors = await rx.waitForEvents('tcp_errors', 1);
    assert.equal(errors[0]!.record.message, 'not json');
    const got = await rx.waitForEvents('tcp', before + 1);
    assert.equal(got[before]!.record.b, 1);
  });

  it('drops a message longer than message_length_limit, and clears a partial one over it, with info lines', async () => {
    const before = rx.events('tcp').length;
    const long = `{"x":"${'y'.repeat(200)}"}`;
    await tcpSend(rx.port, `${long}\n{"c":1}\n`);
    const s = await tcpConnect(rx.port);
    s.write(long.slice(0, 150));
    await sleep(150);
    s.end(`${long.slice(150)}\n{"c":2}\n`);
    const got = (await rx.waitForEvents('tcp', before + 2)).slice(before);
    assert.deepEqual(got.map((e) => e.record.c), [1, 2]);
    assert.ok(rx.logs.some((l) => l.msg === "The received data is larger than 'message_length_limit', dropped:"));
    assert.ok(rx.logs.some((l) => l.msg === "The buffer size exceeds 'message_length_limit', cleared:"));
  });
});

describe('in_tcp delimiter, <extract>, <security> and TLS', () => {
  it('splits on a custom delimiter and takes the tag from <extract> tag_key', async () => {
    const rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag fallback
  delimiter "|;"
  <parse>
    @type json
  </parse>
  <extract>
    tag_key t
  </extract>
</source>
<match **>
  @type capture
  @id delim
</match>`, 'listening tcp socket');
    try {
      await tcpSend(rx.port, '{"t":"one","v":1}|;{"v":2}|;{"v":3}');
      const got = await rx.waitForEvents('delim', 2);
      await sleep(100);
      assert.deepEqual(rx.events('delim').map((e) => [e.tag, e.record]), [['one', { v: 1 }], ['fallback', { v: 2 }]]);
    } finally {
      await rx.stop();
    }
  });

  it('v0.12 style: a top-level format with delimiter keeps the delimiter for framing', async () => {
    const rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag legacy
  format json
  delimiter |
</source>
<match **>
  @type capture
  @id legacy
</match>`, 'listening tcp socket');
    try {
      await tcpSend(rx.port, '{"v":1}|{"v":2}|');
      const got = await rx.waitForEvents('legacy', 2);
      assert.deepEqual(got.map((e) => e.record.v), [1, 2]);
    } finally {
      await rx.stop();
    }
  });

  it('<security> refuses a client outside its <client> networks with a warn line', async () => {
    const rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag sec
  <parse>
    @type none
  </parse>
  <security>
    <client>
      network 10.0.0.0/8
    </client>
  </security>
</source>
<match **>
  @type capture
  @id sec
</match>`, 'listening tcp socket');
    try {
      await tcpSend(rx.port, 'hello\n').catch(() => {});
      await sleep(200);
      assert.equal(rx.events('sec').length, 0);
      assert.ok(rx.logs.some((l) => l.msg === "anonymous client '127.0.0.1' denied"));
    } finally {
      await rx.stop();
    }
  });

  it('receives over <transport tls>', async () => {
    const { dir, cleanup } = tempDir();
    const certs = makeCerts(dir);
    const rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag tls
  <parse>
    @type none
  </parse>
  <transport tls>
    cert_path ${certs.cert}
    private_key_path ${certs.key}
    private_key_passphrase ${certs.passphrase}
  </transport>
</source>
<match **>
  @type capture
  @id tls
</match>`, 'listening tcp socket');
    try {
      const s = tlsConnect({ port: rx.port, host: '127.0.0.1', ca: readFileSync(certs.ca), servername: 'localhost' });
      await new Promise<void>((resolve, reject) => { s.once('secureConnect', () => resolve()); s.once('error', reject); });
      s.end('over tls\n');
      const got = await rx.waitForEvents('tls', 1);
      assert.deepEqual(got[0]!.record, { message: 'over tls' });
    } finally {
      await rx.stop();
      cleanup();
    }
  });

  it('pauses a connection while the buffer refuses, and delivers every line once it accepts', async () => {
    const { dir, cleanup } = tempDir();
    const rx = await startListener(`
<source>
  @type tcp
  port 0
  bind 127.0.0.1
  tag bp
  <parse>
    @type none
  </parse>
</source>
${smallBufferMatch(dir)}`, 'listening tcp socket');
    try {
      const s = await tcpConnect(rx.port);
      const lines = Array.from({ length: 10 }, (_, i) => `${i} ${'x'.repeat(900)}`);
      // The first read fills the buffer past total_limit_size; the second is refused until a flush makes room.
      s.write(lines.slice(0, 5).map((l) => `${l}\n`).join(''));
      await sleep(200);
      s.write(lines.slice(5).map((l) => `${l}\n`).join(''));
      await waitUntil(() => rx.logs.some((l) => l.msg === 'emit refused; this connection pauses and retries'), 5000, 'a refused emit');
      assert.equal(s.destroyed, false);
      const written = () => readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
      await waitUntil(async () => {
        await rx.engine.flushAll();
        return written().length >= 10;
      }, 10_000, 'all lines written');
      assert.deepEqual(written(), lines);
      s.destroy();
    } finally {
      await rx.stop();
      cleanup();
    }
  });
});

describe('in_tcp config errors', () => {
  const build = (body: string) => Engine.fromConfigString(`<source>\n  @type tcp\n  tag t\n${body}\n</source>`, '/x/test.conf', { log: memoryLogger().log });
  it('requires <parse>', async () => {
    await assert.rejects(build(''), /<parse> section is required/);
  });
  it('refuses blocking_timeout by name', async () => {
    await assert.rejects(build('  blocking_timeout 1\n  <parse>\n    @type none\n  </parse>'), /blocking_timeout/);
  });
  it('refuses receive_buffer_size in a tcp <transport>', async () => {
    await assert.rejects(build('  <parse>\n    @type none\n  </parse>\n  <transport tcp>\n    receive_buffer_size 1m\n  </transport>'), /receive_buffer_size/);
  });
  it('refuses <transport udp>', async () => {
    await assert.rejects(build('  <parse>\n    @type none\n  </parse>\n  <transport udp>\n  </transport>'), /valid options are tcp,tls but got udp/);
  });
});
