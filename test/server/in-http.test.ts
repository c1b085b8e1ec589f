import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pack } from '../../src/forward/codec.ts';
import { Engine } from '../../src/engine/engine.ts';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { gzipSync } from 'node:zlib';
import { makeCerts } from '../forward/forward-helpers.ts';
import { memoryLogger, sleep, tempDir, type RunningEngine } from '../helpers/harness.ts';
import { smallBufferMatch, startListener } from './helpers.ts';

type Rx = RunningEngine & { port: number };

function source(extra = '', parse = ''): string {
  return `
<source>
  @type http
  port 0
  bind 127.0.0.1
  body_size_limit 1k
  ${extra}
  ${parse}
</source>
<match **>
  @type capture
  @id http
</match>`;
}

const post = (rx: Rx, path: string, body: string | Buffer, type = 'application/json', headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${rx.port}${path}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'Content-Type': type, ...headers } });

describe('in_http default format', () => {
  let rx: Rx;
  before(async () => {
    rx = await startListener(source('add_remote_addr true\n  add_http_headers true'), 'listening http');
  });
  after(() => rx.stop());

  it('takes a JSON object at POST /TAG, its time field as the event time', async () => {
    const res = await post(rx, '/app/web', '{"a":1,"time":1700000000.5}', 'application/json', { 'X-Trace': 'abc' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    const [e] = await rx.waitForEvents('http', 1);
    assert.equal(e!.tag, 'app.web');
    assert.equal(e!.sec, 1700000000);
    assert.equal(e!.nsec, 500000000);
    assert.equal(e!.record.a, 1);
    assert.equal('time' in e!.record, false);
    assert.equal(e!.record.REMOTE_ADDR, '127.0.0.1');
    assert.equal(e!.record.HTTP_X_TRACE, 'abc');
  });

  it('takes a JSON array as a batch, and ?time= for all of them', async () => {
    const before = rx.events('http').length;
    const res = await post(rx, '/batch?time=1600000000', '[{"i":1},{"i":2},{"i":3}]');
    assert.equal(res.status, 200);
    const got = (await rx.waitForEvents('http', before + 3)).slice(before);
    assert.deepEqual(got.map((e) => [e.tag, e.record.i, e.sec]), [['batch', 1, 1600000000], ['batch', 2, 1600000000], ['batch', 3, 1600000000]]);
  });

  it('takes json= and msgpack= form fields (urlencoded and multipart), and an application/msgpack body', async () => {
    const before = rx.events('http').length;
    assert.equal((await post(rx, '/form', `json=${encodeURIComponent('{"f":"json"}')}`, 'application/x-www-form-urlencoded')).status, 200);
    const mp = pack({ f: 'msgpack-form', bin: 'ü' });
    const escaped = [...mp].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    assert.equal((await post(rx, '/form', `msgpack=${escaped}`, 'application/x-www-form-urlencoded')).status, 200);
    assert.equal((await post(rx, '/form', Buffer.concat([pack({ f: 'mp1' }), pack([{ f: 'mp2' }])]), 'application/msgpack')).status, 200);
    const form = new FormData();
    form.append('json', '{"f":"multipart"}');
    assert.equal((await fetch(`http://127.0.0.1:${rx.port}/form`, { method: 'POST', body: form })).status, 200);
    const got = (await rx.waitForEvents('http', before + 5)).slice(before);
    assert.deepEqual(got.map((e) => e.record.f), ['json', 'msgpack-form', 'mp1', 'mp2', 'multipart']);
    assert.equal(got[1]!.record.bin, 'ü');
  });

  it('answers a bad body 400 with the reason and emits nothing', async () => {
    const before = rx.events('http').length;
    const bad = await post(rx, '/bad', '{"a":');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^400 Bad Request\n.+/);
    const none = await post(rx, '/bad', 'x=1', 'application/x-www-form-urlencoded');
    assert.equal(none.status, 400);
    assert.match(await none.text(), /'json', 'ndjson' or 'msgpack' parameter is required/);
    const badTime = await post(rx, '/bad', '{"time":"yesterday"}');
    assert.equal(badTime.status, 400);
    const tooBig = await post(rx, '/bad', JSON.stringify({ pad: 'x'.repeat(2000) }));
    assert.equal(tooBig.status, 413);
    await sleep(100);
    assert.equal(rx.events('http').length, before);
  });
});

describe('in_http responses, CORS and <parse>', () => {
  it('use_204_response answers 204; respond_with_empty_img a GIF', async () => {
    const a = await startListener(source('use_204_response true'), 'listening http');
    const b = await startListener(source('respond_with_empty_img true'), 'listening http');
    try {
      assert.equal((await post(a, '/t', '{"a":1}')).status, 204);
      const img = await post(b, '/t', '{"a":1}');
      assert.equal(img.status, 200);
      assert.equal(img.headers.get('content-type'), 'image/gif; charset=utf-8');
      assert.equal(Buffer.from(await img.arrayBuffer()).subarray(0, 6).toString(), 'GIF89a');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('CORS: a preflight from an allowed origin, a wildcard origin, and 403 for others', async () => {
    const rx = await startListener(source('cors_allow_origins ["https://app.example.com", "https://*.example.org"]\n  cors_allow_credentials true'), 'listening http');
    try {
      const pre = await fetch(`http://127.0.0.1:${rx.port}/t`, {
        method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      assert.equal(pre.status, 200);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example.com');
      assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
      const ok = await post(rx, '/t', '{"a":1}', 'application/json', { Origin: 'https://x.example.org' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://x.example.org');
      const denied = await post(rx, '/t', '{"a":2}', 'application/json', { Origin: 'https://evil.test' });
      assert.equal(denied.status, 403);
      await sleep(100);
      assert.deepEqual(rx.events('http').map((e) => e.record.a), [1]);
    } finally {
      await rx.stop();
    }
  });

  it('a <parse> of another type parses the body as one text', async () => {
    const rx = await startListener(source('', '<parse>\n    @type regexp\n    expression /^(?<user>\\w+) (?<action>\\w+)$/\n  </parse>'), 'listening http');
    try {
      assert.equal((await post(rx, '/audit', 'alice login', 'text/plain')).status, 200);
      assert.equal((await post(rx, '/audit', 'no-match-here!', 'text/plain')).status, 400);
      const got = await rx.waitForEvents('http', 1);
      assert.deepEqual([got[0]!.tag, got[0]!.record], ['audit', { user: 'alice', action: 'login' }]);
    } finally {
      await rx.stop();
    }
  });
});

describe('in_http with a full buffer, and compressed bodies', () => {
  it('answers 500 while the buffer refuses (the client keeps the events), 200 once it has room', async () => {
    const { dir, cleanup } = tempDir();
    const rx = await startListener(`
<source>
  @type http
  port 0
  bind 127.0.0.1
</source>
${smallBufferMatch(dir)}`, 'listening http');
    try {
      const body = (i: number) => JSON.stringify({ message: `${i} ${'x'.repeat(1500)}` });
      assert.equal((await post(rx, '/full', body(0))).status, 200);
      assert.equal((await post(rx, '/full', body(1))).status, 200);
      const refused = await post(rx, '/full', body(2));
      assert.equal(refused.status, 500);
      assert.match(await refused.text(), /^500 Internal Server Error\n.*total_limit_size/);
      await rx.engine.flushAll();
      assert.equal((await post(rx, '/full', body(2))).status, 200);
    } finally {
      await rx.stop();
      cleanup();
    }
  });

  it('takes a gzip body, and answers 400 to a body that is not gzip', async () => {
    const rx = await startListener(source(), 'listening http');
    try {
      const ok = await post(rx, '/gz', gzipSync('{"z":1}'), 'application/json', { 'Content-Encoding': 'gzip' });
      assert.equal(ok.status, 200);
      const bad = await post(rx, '/gz', '{"z":2}', 'application/json', { 'Content-Encoding': 'gzip' });
      assert.equal(bad.status, 400);
      await sleep(100);
      assert.deepEqual(rx.events('http').map((e) => e.record), [{ z: 1 }]);
    } finally {
      await rx.stop();
    }
  });
});

describe('in_http over <transport tls>', () => {
  it('answers HTTPS and emits the event', async () => {
    const { dir, cleanup } = tempDir();
    const certs = makeCerts(dir);
    const rx = await startListener(source('', `<transport tls>
    cert_path ${certs.cert}
    private_key_path ${certs.key}
    private_key_passphrase ${certs.passphrase}
  </transport>`), 'listening http');
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: rx.port, path: '/secure', method: 'POST', ca: readFileSync(certs.ca), servername: 'localhost', headers: { 'Content-Type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end('{"s":1}');
      });
      assert.equal(status, 200);
      const got = await rx.waitForEvents('http', 1);
      assert.deepEqual([got[0]!.tag, got[0]!.record], ['secure', { s: 1 }]);
    } finally {
      await rx.stop();
      cleanup();
    }
  });
});

describe('in_http config', () => {
  const build = (body: string) => Engine.fromConfigString(`<source>\n  @type http\n${body}\n</source>`, '/x/test.conf', { log: memoryLogger().log });
  it('refuses cors_allow_credentials without specific origins', async () => {
    await assert.rejects(build('  cors_allow_credentials true\n  cors_allow_origins ["*"]'), /Cannot enable cors_allow_credentials without specific origins/);
  });
  it('refuses linger_timeout in <transport> by name', async () => {
    await assert.rejects(build('  <transport tcp>\n    linger_timeout 5\n  </transport>'), /linger_timeout: node:http closes its connections itself/);
  });
  it('refuses a parser parameter the default format does not use, by name', async () => {
    await assert.rejects(build('  <parse>\n    types a:integer\n  </parse>'), /'types' is not used by in_http's default parser/);
  });
});
