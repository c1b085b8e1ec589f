import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { RunningEngine } from '../helpers/harness.ts';
import { array, emitAll, entry, eventTime, pk, RawClient, sender, startReceiver, str32 } from './forward-helpers.ts';

type Rx = RunningEngine & { port: number };

describe('in_forward with fluent-logger as the client', () => {
  let rx: Rx;
  before(async () => {
    rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
</source>
<match **>
  @type capture
  @id all
</match>`);
  });
  after(() => rx.stop());

  for (const mode of ['Message', 'PackedForward', 'CompressedPackedForward']) {
    it(`takes ${mode} with requireAckResponse: every event arrives once, every emit is acked`, async () => {
      const before = rx.events('all').length;
      const s = sender(rx.port, mode);
      await emitAll(s, 200, mode.toLowerCase());
      s.end(null as never, null as never, () => {});
      const got = rx.events('all').slice(before).filter((e) => e.tag === `app.${mode.toLowerCase()}`);
      assert.equal(got.length, 200);
      assert.deepEqual(got.map((e) => e.record.i).sort((a, b) => (a as number) - (b as number)), Array.from({ length: 200 }, (_, i) => i));
      assert.ok(got.every((e) => e.sec > 1_600_000_000 && Number.isInteger(e.sec)));
    });
  }
});

describe('in_forward with a msgpack client written here', () => {
  let rx: Rx;
  before(async () => {
    rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
  chunk_size_limit 64k
  stalled_chunk_timeout 0.5
  source_address_key src
</source>
<match **>
  @type capture
  @id raw
</match>`);
  });
  after(() => rx.stop());

  it('Forward mode with EventTime keeps the nanoseconds and acks the chunk', async () => {
    const c = await RawClient.open(rx.port);
    const entries = Buffer.concat([Buffer.from([0x92]), array(eventTime(1700000000, 123456789), pk({ a: 1 })), array(eventTime(1700000001, 1), pk({ a: 2 }))]);
    c.write(array(pk('fwd.mode'), entries, pk({ chunk: 'c1' })));
    assert.deepEqual(await c.reply(), { ack: 'c1' });
    const got = rx.events('raw').filter((e) => e.tag === 'fwd.mode');
    assert.deepEqual(got.map((e) => [e.sec, e.nsec, e.record]), [
      [1700000000, 123456789, { a: 1, src: '127.0.0.1' }],
      [1700000001, 1, { a: 2, src: '127.0.0.1' }],
    ]);
    c.close();
  });

  it('Message mode with an integer time, and PackedForward as out_forward sends it (str32) and gzipped', async () => {
    const c = await RawClient.open(rx.port);
    c.write(array(pk('msg.int'), pk(1700000005), pk({ m: 1 }), pk({ chunk: 'm1' })));
    assert.deepEqual(await c.reply(1), { ack: 'm1' });
    const packed = Buffer.concat([entry(1700000010, 5, { p: 1 }), entry(1700000011, 6, { p: 2 })]);
    c.write(array(pk('packed.text'), str32(packed), pk({ size: 2, chunk: 'p1', compressed: 'text' })));
    assert.deepEqual(await c.reply(2), { ack: 'p1' });
    const gz = Buffer.concat([gzipSync(entry(1700000020, 7, { g: 1 })), gzipSync(entry(1700000021, 8, { g: 2 }))]); // two gzip members
    c.write(array(pk('packed.gzip'), str32(gz), pk({ size: 2, chunk: 'g1', compressed: 'gzip' })));
    assert.deepEqual(await c.reply(3), { ack: 'g1' });
    const by = (tag: string) => rx.events('raw').filter((e) => e.tag === tag).map((e) => [e.sec, e.nsec, e.record]);
    assert.deepEqual(by('msg.int'), [[1700000005, 0, { m: 1, src: '127.0.0.1' }]]);
    assert.deepEqual(by('packed.text'), [[1700000010, 5, { p: 1, src: '127.0.0.1' }], [1700000011, 6, { p: 2, src: '127.0.0.1' }]]);
    assert.deepEqual(by('packed.gzip'), [[1700000020, 7, { g: 1, src: '127.0.0.1' }], [1700000021, 8, { g: 2, src: '127.0.0.1' }]]);
    c.close();
  });

  it('skips invalid events (float time with skip_invalid_event, non-map record) and still acks', async () => {
    const c = await RawClient.open(rx.port);
    const entries = Buffer.concat([Buffer.from([0x93]), array(pk(1.5), pk({ bad: 1 })), array(pk(1700000030), pk('not a map')), array(pk(1700000031), pk({ ok: 1 }))]);
    c.write(array(pk('invalid'), entries, pk({ chunk: 'i1' })));
    assert.deepEqual(await c.reply(), { ack: 'i1' });
    assert.deepEqual(rx.events('raw').filter((e) => e.tag === 'invalid').map((e) => e.record), [{ ok: 1, src: '127.0.0.1' }]);
    assert.ok(rx.logs.some((l) => l.msg === 'skip invalid event:' && l.count === 2));
    c.close();
  });

  const badInputs: Array<[string, Buffer, RegExp]> = [
    ['garbage bytes', Buffer.from([0xc1, 0x00, 0x01]), /invalid msgpack byte 0xc1/],
    ['a tag that is no string', array(pk(42), pk(1700000000), pk({ a: 1 })), /tag is not a string/],
    ['packed entries that are not msgpack', array(pk('t'), str32(Buffer.from([0x92, 0xc1])), pk({})), /packed entries/],
    ['gzip entries that are not gzip', array(pk('t'), str32(Buffer.from('nope')), pk({ compressed: 'gzip' })), /cannot be decompressed/],
    ['a chunk over chunk_size_limit', array(pk('t'), str32(Buffer.alloc(70 * 1024)), pk({})), /chunk_size_limit/],
    ['JSON', Buffer.from('["t", 1, {}]'), /JSON/],
  ];
  for (const [what, bytes, reason] of badInputs) {
    it(`closes only the connection that sent ${what}, with a warn line naming the peer`, async () => {
      const good = await RawClient.open(rx.port);
      const bad = await RawClient.open(rx.port);
      const warnsBefore = rx.logs.filter((l) => l.level === 'warn').length;
      bad.write(bytes);
      await bad.waitClosed();
      const warn = rx.logs.filter((l) => l.level === 'warn').slice(warnsBefore).find((l) => reason.test(l.msg));
      assert.ok(warn, `a warn line matching ${reason}`);
      assert.match(warn.msg, /^forward connection from 127\.0\.0\.1:\d+ closed: /);
      good.write(array(pk('still.ok'), pk(1700000040), pk({ w: what }), pk({ chunk: what })));
      assert.deepEqual(await good.reply(), { ack: what });
      assert.equal(good.closed, false);
      good.close();
    });
  }

  it('closes a client that stalls mid-frame, and sends no ack for the part it sent', async () => {
    const c = await RawClient.open(rx.port);
    const frame = array(pk('stall'), pk(1700000050), pk({ s: 1 }), pk({ chunk: 's1' }));
    c.write(frame.subarray(0, frame.length - 4));
    await c.waitClosed();
    assert.equal(c.replies.length, 0);
    assert.ok(rx.logs.some((l) => l.level === 'warn' && /closed: stalled mid-frame/.test(l.msg)));
    assert.equal(rx.events('raw').filter((e) => e.tag === 'stall').length, 0);
  });

  it('takes a frame that arrives one byte at a time', async () => {
    const c = await RawClient.open(rx.port);
    const frame = array(pk('bytewise'), str32(Buffer.concat([entry(1700000060, 1, { b: 1 }), entry(1700000061, 2, { b: 2 })])), pk({ chunk: 'b1' }));
    for (const byte of frame) {
      c.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(await c.reply(), { ack: 'b1' });
    assert.equal(rx.events('raw').filter((e) => e.tag === 'bytewise').length, 2);
    c.close();
  });

  it('answers a UDP heartbeat on the same port with one 0 byte', async () => {
    const { createSocket } = await import('node:dgram');
    const udp = createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve, reject) => {
      udp.once('message', resolve);
      udp.send(Buffer.from([0]), rx.port, '127.0.0.1', (err) => err && reject(err));
      setTimeout(() => reject(new Error('no heartbeat reply')), 3000).unref();
    });
    udp.close();
    assert.deepEqual([...reply], [0]);
  });
});

describe('in_forward parameters', () => {
  it('tag, add_tag_prefix, skip_invalid_event false (float and nil times), deny_keepalive', async () => {
    const rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
  add_tag_prefix pre
  skip_invalid_event false
  deny_keepalive true
</source>
<match **>
  @type capture
  @id params
</match>`);
    try {
      const c = await RawClient.open(rx.port);
      const entries = Buffer.concat([Buffer.from([0x92]), array(pk(1700000000.25), pk({ f: 1 })), array(pk(null), pk({ n: 1 }))]);
      c.write(array(pk('orig'), entries, pk({ chunk: 'k' })));
      assert.deepEqual(await c.reply(), { ack: 'k' });
      await c.waitClosed(); // deny_keepalive: closed after the first message
      const got = rx.events('params');
      assert.deepEqual(got.map((e) => e.tag), ['pre.orig', 'pre.orig']);
      assert.deepEqual([got[0]!.sec, got[0]!.nsec], [1700000000, 250000000]);
      assert.ok(got[1]!.sec > 1_700_000_000); // nil time is now
    } finally {
      await rx.stop();
    }
  });

  it('refuses a parameter it does not implement, naming it', async () => {
    await assert.rejects(startReceiver(`
<source>
  @type forward
  port 0
  blocking_timeout 1
</source>`), /blocking_timeout.*not supported/s);
  });
});

describe('in_forward backpressure', () => {
  it('sends no ack and reads no further while the buffer refuses, then acks once it takes the events', async () => {
    const rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
</source>
<match **>
  @type flaky
  @id full
  fail_times 0
  <buffer>
    @type memory
    total_limit_size 2k
    chunk_limit_size 1m
    overflow_action throw_exception
    flush_mode interval
    flush_interval 1h
  </buffer>
</match>`);
    try {
      const c = await RawClient.open(rx.port);
      const big = { pad: 'x'.repeat(900) };
      let sent = 0;
      // Fill the buffer until a frame gets no ack: that one was refused.
      for (; sent < 10; sent++) {
        c.write(array(pk('bp'), pk(1700000000 + sent), pk(big), pk({ chunk: `a${sent}` })));
        const acked = await c.reply(sent + 1, 400).then(() => true, () => false);
        if (!acked) break;
      }
      assert.ok(sent >= 1 && sent < 10, `the buffer refused a frame (after ${sent} were taken)`);
      // A frame sent behind the refused one is not read either.
      c.write(array(pk('bp'), pk(1700000099), pk(big), pk({ chunk: 'behind' })));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(c.replies.length, sent);
      assert.equal(c.closed, false);
      assert.ok(rx.logs.some((l) => l.msg === 'emit refused; this connection pauses and retries'));
      // Writing the chunks frees the buffer: the retried emit goes in and both acks follow, in order.
      await rx.engine.flushAll();
      await c.reply(sent + 2, 5000);
      assert.deepEqual(c.replies.slice(sent), [{ ack: `a${sent}` }, { ack: 'behind' }]);
      c.close();
    } finally {
      await rx.stop();
    }
  });
});
