import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';
import { array, emitAll, makeCerts, pk, RawClient, sender, startReceiver } from './forward-helpers.ts';

type Rx = RunningEngine & { port: number };
const sha512 = (...parts: Array<string | Buffer>) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** PING for a HELO, as a Fluentd client computes it. */
function ping(helo: unknown, key: string, user = '', password = '', hostname = 'client.test'): Buffer {
  const opts = (helo as [string, { nonce: Buffer; auth: Buffer }])[1];
  const salt = 'fedcba9876543210';
  const auth = user ? sha512(opts.auth, user, password) : '';
  return pk(['PING', hostname, salt, sha512(salt, hostname, opts.nonce, key), user, auth]);
}

describe('in_forward <security>', () => {
  let rx: Rx;
  before(async () => {
    rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
  <security>
    self_hostname server.test
    shared_key right-key
    user_auth true
    <user>
      username alice
      password wonderland
    </user>
  </security>
</source>
<match **>
  @type capture
  @id sec
</match>`);
  });
  after(() => rx.stop());

  it('admits the right key and user, and PONG proves the server knows the key', async () => {
    const c = await RawClient.open(rx.port);
    const helo = await c.reply(1);
    assert.equal((helo as unknown[])[0], 'HELO');
    c.write(ping(helo, 'right-key', 'alice', 'wonderland'));
    const pong = (await c.reply(2)) as unknown[];
    const nonce = (helo as [string, { nonce: Buffer }])[1].nonce;
    assert.deepEqual(pong, ['PONG', true, '', 'server.test', sha512('fedcba9876543210', 'server.test', nonce, 'right-key')]);
    c.write(array(pk('sec.ok'), pk(1700000000), pk({ a: 1 }), pk({ chunk: 'ok' })));
    assert.deepEqual(await c.reply(3), { ack: 'ok' });
    assert.equal(rx.events('sec').filter((e) => e.tag === 'sec.ok').length, 1);
    c.close();
  });

  const refusals: Array<[string, (helo: unknown) => Buffer, string]> = [
    ['a wrong shared key', (helo) => ping(helo, 'wrong-key', 'alice', 'wonderland'), 'shared_key mismatch'],
    ['a wrong password', (helo) => ping(helo, 'right-key', 'alice', 'nope'), 'username/password mismatch'],
    ['no handshake at all (events first)', () => array(pk('sec.nohandshake'), pk(1700000000), pk({ a: 1 }), pk({ chunk: 'x' })), 'invalid ping message'],
  ];
  for (const [what, first, reason] of refusals) {
    it(`refuses ${what}: PONG false, the connection closes, no event reaches the output`, async () => {
      const c = await RawClient.open(rx.port);
      const helo = await c.reply(1);
      c.write(first(helo));
      // Events sent right behind the refused PING must not get in either.
      c.write(array(pk('sec.refused'), pk(1700000000), pk({ a: 1 }), pk({ chunk: 'r' })));
      const pong = (await c.reply(2)) as unknown[];
      assert.deepEqual(pong, ['PONG', false, reason, '', '']);
      await c.waitClosed();
      assert.equal(c.replies.length, 2);
      assert.ok(rx.logs.some((l) => l.level === 'warn' && l.msg.includes(`refused: ${reason}`) && /127\.0\.0\.1:\d+/.test(l.msg)));
      assert.equal(rx.events('sec').filter((e) => e.tag === 'sec.refused' || e.tag === 'sec.nohandshake').length, 0);
    });
  }

  it('admits fluent-logger with security (username and password)', async () => {
    const s = sender(rx.port, 'PackedForward', { security: { clientHostname: 'client.test', sharedKey: 'right-key', username: 'alice', password: 'wonderland' } });
    await emitAll(s, 50, 'fl');
    s.end(null as never, null as never, () => {});
    assert.equal(rx.events('sec').filter((e) => e.tag === 'app.fl').length, 50);
  });
});

describe('in_forward <security> <client>', () => {
  it('allow_anonymous_source false admits only listed networks, with their own key', async () => {
    const rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
  <security>
    self_hostname server.test
    shared_key default-key
    allow_anonymous_source false
    <client>
      network 127.0.0.0/8
      shared_key loopback-key
    </client>
  </security>
</source>
<match **>
  @type capture
  @id clients
</match>`);
    try {
      const bad = await RawClient.open(rx.port);
      bad.write(ping(await bad.reply(1), 'default-key'));
      assert.deepEqual(await bad.reply(2), ['PONG', false, 'shared_key mismatch', '', '']);
      const good = await RawClient.open(rx.port);
      good.write(ping(await good.reply(1), 'loopback-key'));
      assert.equal(((await good.reply(2)) as unknown[])[1], true);
      good.close();
    } finally {
      await rx.stop();
    }
  });

  it('refuses a config whose <client> has neither host nor network', async () => {
    await assert.rejects(startReceiver(`
<source>
  @type forward
  port 0
  <security>
    self_hostname s
    shared_key k
    <client>
      shared_key x
    </client>
  </security>
</source>`), /Either of 'host' and 'network' must be specified for client/);
  });
});

describe('in_forward <transport tls>', () => {
  const tmp = tempDir('logferry-tls-');
  let rx: Rx;
  let certs: ReturnType<typeof makeCerts>;
  before(async () => {
    certs = makeCerts(tmp.dir);
    rx = await startReceiver(`
<source>
  @type forward
  port 0
  bind 127.0.0.1
  <transport tls>
    cert_path ${certs.cert}
    private_key_path ${certs.key}
    private_key_passphrase ${certs.passphrase}
    min_version TLSv1_2
    max_version TLSv1_3
  </transport>
</source>
<match **>
  @type capture
  @id tls
</match>`);
  });
  after(async () => {
    await rx.stop();
    tmp.cleanup();
  });

  it('accepts fluent-logger with tls: true, verifying the certificate against the test CA', async () => {
    const { readFileSync } = await import('node:fs');
    const s = sender(rx.port, 'Message', { tls: true, tlsOptions: { ca: readFileSync(certs.ca), servername: 'localhost' } });
    await emitAll(s, 20, 'tls');
    s.end(null as never, null as never, () => {});
    assert.equal(rx.events('tls').filter((e) => e.tag === 'app.tls').length, 20);
  });

  it('closes a plain TCP client with a warn line', async () => {
    const c = await RawClient.open(rx.port);
    c.write(array(pk('plain'), pk(1700000000), pk({ a: 1 }), pk({ chunk: 'p' })));
    await c.waitClosed();
    await waitUntil(() => rx.logs.some((l) => l.level === 'warn' && /TLS handshake failed/.test(l.msg)), 3000, 'the TLS warn line');
    assert.equal(rx.events('tls').filter((e) => e.tag === 'plain').length, 0);
  });

  it('refuses a TLS 1.1 client when min_version is TLSv1_2', async () => {
    const err = await new Promise<Error | undefined>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port: rx.port, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => resolve(undefined));
      s.on('error', resolve);
    });
    assert.ok(err, 'the handshake failed');
  });
});
