import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { memoryLogger, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { smallBufferMatch, startListener, udpSend } from './helpers.ts';

describe('in_udp', () => {
  let rx: RunningEngine & { port: number };
  before(async () => {
    rx = await startListener(`
<source>
  @type udp
  port 0
  bind 127.0.0.1
  tag udp.in
  source_address_key addr
  message_length_limit 64
  <transport udp>
    receive_buffer_size 1m
  </transport>
  <parse>
    @type regexp
    expression /^(?<k>\\w+)=(?<v>.*)$/
  </parse>
</source>
<match udp.**>
  @type capture
  @id udp
</match>
<label @ERROR>
  <match **>
    @type capture
    @id udp_errors
  </match>
</label>`, 'listening udp socket');
  });
  after(() => rx.stop());

  it('parses one message per datagram, removes the trailing newline and adds the sender address', async () => {
    await udpSend(rx.port, 'a=1\n', 'b=two\r\n', 'c=3');
    const got = await rx.waitForEvents('udp', 3);
    const byKey = Object.fromEntries(got.map((e) => [e.record.k, e.record]));
    assert.deepEqual(byKey.a, { k: 'a', v: '1', addr: '127.0.0.1' });
    assert.deepEqual(byKey.b, { k: 'b', v: 'two', addr: '127.0.0.1' });
    assert.equal(byKey.c!.v, '3');
    assert.equal(got[0]!.tag, 'udp.in');
  });

  it('sends an unparsable datagram to @ERROR with its text', async () => {
    await udpSend(rx.port, 'no equals sign');
    const errors = await rx.waitForEvents('udp_errors', 1);
    assert.equal(errors[0]!.record.message, 'no equals sign');
  });

  it('cuts a datagram at message_length_limit, as Fluentd, with a warn line', async () => {
    const before = rx.events('udp').length;
    await udpSend(rx.port, `long=${'z'.repeat(100)}`);
    const got = await rx.waitForEvents('udp', before + 1);
    assert.equal(got[before]!.record.v, 'z'.repeat(64 - 5));
    assert.ok(rx.logs.some((l) => l.level === 'warn' && /larger than message_length_limit/.test(l.msg)));
  });
});

describe('in_udp with a full buffer', () => {
  it('says once that datagrams are lost while the buffer refuses, and how many when it takes them again', async () => {
    const { dir, cleanup } = tempDir();
    const rx = await startListener(`
<source>
  @type udp
  port 0
  bind 127.0.0.1
  tag full
  <parse>
    @type none
  </parse>
</source>
${smallBufferMatch(dir)}`, 'listening udp socket');
    try {
      const line = (i: number) => `${i} ${'x'.repeat(1500)}`;
      // Two datagrams fill the buffer past total_limit_size; the next two are refused.
      await udpSend(rx.port, line(0), line(1), line(2), line(3));
      await waitUntil(() => rx.logs.some((l) => l.msg.startsWith('udp: emit refused')), 5000, 'the refusal warn line');
      await waitUntil(async () => {
        await rx.engine.flushAll();
        await udpSend(rx.port, line(4));
        return rx.logs.some((l) => /the buffers take events again \(2 lost/.test(l.msg));
      }, 5000, 'the recovery line');
      assert.equal(rx.logs.filter((l) => l.msg.startsWith('udp: emit refused')).length, 1);
    } finally {
      await rx.stop();
      cleanup();
    }
  });
});

describe('in_udp config', () => {
  const build = (body: string) => Engine.fromConfigString(`<source>\n  @type udp\n  tag t\n${body}\n</source>`, '/x/test.conf', { log: memoryLogger().log });
  it('requires <parse>', async () => {
    await assert.rejects(build(''), /<parse> section is required/);
  });
  it('refuses <transport tcp>', async () => {
    await assert.rejects(build('  <parse>\n    @type none\n  </parse>\n  <transport tcp>\n  </transport>'), /valid options are udp but got tcp/);
  });
  it('refuses blocking_timeout by name', async () => {
    await assert.rejects(build('  blocking_timeout 1\n  <parse>\n    @type none\n  </parse>'), /blocking_timeout/);
  });
});
