import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine.ts';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { makeCerts } from '../forward/forward-helpers.ts';
import { memoryLogger, tempDir, type RunningEngine } from '../helpers/harness.ts';
import { startListener, tcpConnect, tcpSend, udpSend } from './helpers.ts';

type Rx = RunningEngine & { port: number };
const LISTENING = 'listening syslog socket';

function config(transport: string, extra = '', parse = ''): string {
  return `
<source>
  @type syslog
  port 0
  bind 127.0.0.1
  tag sys
  severity_key severity
  facility_key facility
  source_address_key addr
  ${extra}
  ${transport}
  ${parse}
</source>
<match sys.**>
  @type capture
  @id sys
</match>
<label @ERROR>
  <match **>
    @type capture
    @id sys_errors
  </match>
</label>`;
}

describe('in_syslog over UDP (the default transport)', () => {
  let rx: Rx;
  before(async () => {
    rx = await startListener(config(''), LISTENING);
  });
  after(() => rx.stop());

  it('tags RFC 3164 messages TAG.FACILITY.SEVERITY and adds severity, facility and the sender address', async () => {
    // <38> = auth (4) * 8 + info (6); <11> = user (1) * 8 + err (3)
    await udpSend(rx.port, '<38>Feb  5 17:32:18 myhost sshd[1234]: Accepted publickey for alice\n', '<11>Dec  8 03:00:00 web app: disk full');
    const got = await rx.waitForEvents('sys', 2);
    const byTag = Object.fromEntries(got.map((e) => [e.tag, e.record]));
    assert.deepEqual(byTag['sys.auth.info'], {
      host: 'myhost', ident: 'sshd', pid: '1234', message: 'Accepted publickey for alice', severity: 'info', facility: 'auth', addr: '127.0.0.1',
    });
    assert.equal(byTag['sys.user.err']!.message, 'disk full');
    assert.equal(byTag['sys.user.err']!.ident, 'app');
  });

  it('sends a message that does not parse to @ERROR with its text', async () => {
    await udpSend(rx.port, 'no priority at all');
    const errors = await rx.waitForEvents('sys_errors', 1);
    assert.equal(errors[0]!.record.message, 'no priority at all');
    assert.equal(errors[0]!.tag, 'sys');
  });
});

describe('in_syslog over TCP', () => {
  it('reads traditional (newline) frames split across writes', async () => {
    const rx = await startListener(config('<transport tcp>\n  </transport>'), LISTENING);
    try {
      await tcpSend(rx.port, '<134>Dec  8 03:00:00 lb haproxy[9]: req 1\n<13', '4>Dec  8 03:00:01 lb haproxy[9]: req 2\n');
      const got = await rx.waitForEvents('sys', 2);
      assert.deepEqual(got.map((e) => [e.tag, e.record.message]), [['sys.local0.info', 'req 1'], ['sys.local0.info', 'req 2']]);
    } finally {
      await rx.stop();
    }
  });

  it('reads octet-counted RFC 5424 frames (lengths in bytes, messages with newlines and multibyte text)', async () => {
    const rx = await startListener(config('frame_type octet_count\n  <transport tcp>\n  </transport>', '', '<parse>\n    message_format rfc5424\n  </parse>'), LISTENING);
    try {
      const m1 = '<165>1 2026-12-08T03:00:00.123Z host1 app 77 ID47 - first\nline with ünïcode';
      const m2 = '<14>1 2026-12-08T03:00:01Z host2 app - - [ex@1 k="v"] second';
      const frame = (m: string) => `${Buffer.byteLength(m)} ${m}`;
      const all = Buffer.from(frame(m1) + frame(m2));
      await tcpSend(rx.port, all.subarray(0, 20), all.subarray(20));
      const got = await rx.waitForEvents('sys', 2);
      assert.equal(got[0]!.tag, 'sys.local4.notice');
      assert.equal(got[0]!.record.message, 'first\nline with ünïcode');
      assert.equal(got[0]!.record.msgid, 'ID47');
      assert.equal(got[0]!.sec, Date.UTC(2026, 11, 8, 3, 0, 0) / 1000);
      assert.equal(got[1]!.tag, 'sys.user.info');
      assert.equal(got[1]!.record.extradata, '[ex@1 k="v"]');
      assert.equal('pri' in got[1]!.record, false);
    } finally {
      await rx.stop();
    }
  });

  it('closes a connection whose octet count is garbage, with a warn line, and keeps serving others', async () => {
    const rx = await startListener(config('frame_type octet_count\n  <transport tcp>\n  </transport>'), LISTENING);
    try {
      const s = await tcpConnect(rx.port);
      const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
      s.on('error', () => {});
      s.write('abc <13>Dec  8 03:00:00 h a: x');
      await closed;
      assert.ok(rx.logs.some((l) => l.level === 'warn' && /invalid octet count/.test(l.msg)));
      const m = '<13>Dec  8 03:00:00 h a: ok';
      await tcpSend(rx.port, `${m.length} ${m}`);
      const got = await rx.waitForEvents('sys', 1);
      assert.equal(got[0]!.record.message, 'ok');
    } finally {
      await rx.stop();
    }
  });

  it('emit_unmatched_lines emits a message that does not parse as TAG.unmatched', async () => {
    const rx = await startListener(config('<transport tcp>\n  </transport>', 'emit_unmatched_lines true'), LISTENING);
    try {
      await tcpSend(rx.port, 'garbage\n');
      const got = await rx.waitForEvents('sys', 1);
      assert.deepEqual([got[0]!.tag, got[0]!.record], ['sys.unmatched', { unmatched_line: 'garbage', addr: '127.0.0.1' }]);
      assert.equal(rx.events('sys_errors').length, 0);
      assert.ok(rx.logs.some((l) => l.msg === 'failed to parse message'));
    } finally {
      await rx.stop();
    }
  });

  it('reads the priority itself when the parser does not (a none parser), and takes v0.12 top-level message_format', async () => {
    const rx = await startListener(config('<transport tcp>\n  </transport>', '', '<parse>\n    @type none\n  </parse>'), LISTENING);
    try {
      await tcpSend(rx.port, '<30>anything goes\n');
      const got = await rx.waitForEvents('sys', 1);
      assert.deepEqual([got[0]!.tag, got[0]!.record.message], ['sys.daemon.info', 'anything goes']);
    } finally {
      await rx.stop();
    }
    const legacy = await startListener(config('', 'message_format rfc5424'), LISTENING);
    try {
      await udpSend(legacy.port, '<14>1 2026-12-08T03:00:01Z host2 app - - - legacy');
      const got = await legacy.waitForEvents('sys', 1);
      assert.equal(got[0]!.record.message, 'legacy');
    } finally {
      await legacy.stop();
    }
  });
});

describe('in_syslog over TLS', () => {
  it('reads octet-counted frames over <transport tls> and adds the sender host name', async () => {
    const { dir, cleanup } = tempDir();
    const certs = makeCerts(dir);
    const rx = await startListener(config(`frame_type octet_count
  source_hostname_key hostname
  <transport tls>
    cert_path ${certs.cert}
    private_key_path ${certs.key}
    private_key_passphrase ${certs.passphrase}
  </transport>`), LISTENING);
    try {
      const s = tlsConnect({ port: rx.port, host: '127.0.0.1', ca: readFileSync(certs.ca), servername: 'localhost' });
      await new Promise<void>((resolve, reject) => { s.once('secureConnect', () => resolve()); s.once('error', reject); });
      const m = '<86>Dec  8 03:00:00 bastion sudo: alice : TTY=pts/0 ; COMMAND=/bin/ls';
      s.end(`${Buffer.byteLength(m)} ${m}`);
      const got = await rx.waitForEvents('sys', 1);
      assert.equal(got[0]!.tag, 'sys.authpriv.info');
      assert.equal(got[0]!.record.ident, 'sudo');
      assert.equal(typeof got[0]!.record.hostname, 'string');
      assert.ok((got[0]!.record.hostname as string).length > 0);
    } finally {
      await rx.stop();
      cleanup();
    }
  });
});

describe('in_syslog config', () => {
  const build = (body: string) => Engine.fromConfigString(`<source>\n  @type syslog\n  tag t\n${body}\n</source>`, '/x/test.conf', { log: memoryLogger().log });
  it('refuses send_keepalive_packet over UDP', async () => {
    await assert.rejects(build('  send_keepalive_packet true'), /send_keepalive_packet is available for tcp\/tls/);
  });
  it('refuses resolve_hostname false with source_hostname_key', async () => {
    await assert.rejects(build('  source_hostname_key h\n  resolve_hostname false'), /resolve_hostname must be true with source_hostname_key/);
  });
  it('refuses an unknown transport', async () => {
    await assert.rejects(build('  <transport unix>\n  </transport>'), /valid options are tcp,udp,tls but got unix/);
  });
});
