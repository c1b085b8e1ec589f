/**
 * Secrets: aws_sec_key, shared_key and passwords never appear in logferry's log (at trace level, through failing
 * uploads, refused handshakes and unreachable servers), in `logferry config` (text and JSON), in --dry-run's config
 * errors, or in monitor_agent's config dump.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, runCli, sleep, tempDir, waitUntil } from '../helpers/harness.ts';
import { killAllLogferry, startLogferry, withTimeout } from '../helpers/logferry-process.ts';
import { emitAll, sender } from '../forward/forward-helpers.ts';

const tmp = tempDir('logferry-chaos-secrets-');
after(() => {
  killAllLogferry();
  tmp.cleanup();
});

const SECRETS = ['AwsSecretKey-0x7f3a', 'SharedKey-in-0x51c2', 'UserPassword-0x9d04', 'SharedKey-out-0x2be8', 'ServerPassword-0x66a1'];

function configText(ports: { forward: number; monitor: number; refused: number }, extra = ''): string {
  return `
<source>
  @type forward
  @id secure_in
  port ${ports.forward}
  bind 127.0.0.1
  <security>
    self_hostname aggregator
    shared_key ${SECRETS[1]}
    user_auth true
    <user>
      username alice
      password ${SECRETS[2]}
    </user>
  </security>
</source>
<source>
  @type monitor_agent
  bind 127.0.0.1
  port ${ports.monitor}
  include_config true
</source>
<match app.other.**>
  @type forward
  @id forward_out
  heartbeat_type none
  connect_timeout 0.5
  <security>
    self_hostname agent
    shared_key ${SECRETS[3]}
  </security>
  <server>
    host 127.0.0.1
    port ${ports.refused}
    username bob
    password ${SECRETS[4]}
  </server>
</match>
<match app.**>
  @type s3
  @id s3_out
  s3_bucket secrets
  s3_endpoint http://127.0.0.1:${ports.refused}
  aws_key_id AKIDEXAMPLE
  aws_sec_key ${SECRETS[0]}
  ${extra}
  <buffer>
    flush_mode interval
    flush_interval 0.2s
    retry_wait 0.2s
  </buffer>
</match>
`;
}

const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

test('no secret in logs, config dumps, config errors or monitor_agent', { timeout: 60_000 }, async () => {
  const ports = { forward: await freePort(), monitor: await freePort(), refused: await freePort() };
  const conf = path.join(tmp.dir, 'secrets.conf');
  writeFileSync(conf, configText(ports));

  for (const args of [['config', '-c', conf], ['config', '-c', conf, '--json']]) {
    const dump = await runCli(args);
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /xxxxxx/, `${args.join(' ')} masks the secrets`);
    assert.deepEqual(leaked(dump.stdout + dump.stderr), [], `${args.join(' ')} shows no secret`);
  }

  const broken = path.join(tmp.dir, 'broken.conf');
  writeFileSync(broken, configText(ports, 'store_as lzo\n  storage_class NOT_A_CLASS'));
  const dryRun = await runCli(['--dry-run', '-c', broken]);
  assert.notEqual(dryRun.code, 0);
  assert.match(dryRun.stdout + dryRun.stderr, /broken\.conf:\d+/);
  assert.deepEqual(leaked(dryRun.stdout + dryRun.stderr), [], '--dry-run errors show no secret');

  const agent = startLogferry(conf, {}, ['-vv']);
  assert.ok(await withTimeout(agent.started, 20_000, 'logferry to start'), agent.output());
  // A client with the wrong key, one with the wrong password, and events that fail to upload and to forward.
  const wrongKey = sender(ports.forward, 'Message', { security: { clientHostname: 'c1', sharedKey: 'not-the-key' }, ackResponseTimeout: 1000, enableReconnect: false });
  const wrongPassword = sender(ports.forward, 'Message', { security: { clientHostname: 'c2', sharedKey: SECRETS[1], username: 'alice', password: 'wrong' }, ackResponseTimeout: 1000, enableReconnect: false });
  const right = sender(ports.forward, 'Message', { security: { clientHostname: 'c3', sharedKey: SECRETS[1], username: 'alice', password: SECRETS[2] } });
  await Promise.race([emitAll(wrongKey, 1).catch(() => {}), sleep(1500)]);
  await Promise.race([emitAll(wrongPassword, 1).catch(() => {}), sleep(1500)]);
  await emitAll(right, 3, 'x');
  await emitAll(right, 3, 'other.x');
  await waitUntil(() => /s3_out.*unreachable/.test(agent.output()) && /forward_out/.test(agent.output()), 10_000, 'the upload and forward failures in the log');
  const configJson = await (await fetch(`http://127.0.0.1:${ports.monitor}/api/config.json`)).text();
  const plugins = await (await fetch(`http://127.0.0.1:${ports.monitor}/api/plugins.json`)).text();
  await sleep(1000);
  agent.proc.kill('SIGTERM');
  await withTimeout(agent.exited, 15_000, 'logferry to exit');
  for (const s of [wrongKey, wrongPassword, right]) s.end(null as never, null as never, () => {});

  const output = agent.output();
  assert.match(output, /\[trace\]|\[debug\]/, 'the log ran at trace level');
  assert.match(output, /refused: shared_key mismatch/, 'the wrong key was logged');
  assert.match(output, /refused: username\/password mismatch/, 'the wrong password was logged');
  assert.deepEqual(leaked(output), [], 'the log shows no secret');
  assert.deepEqual(leaked(configJson), [], 'monitor_agent /api/config.json shows no secret');
  assert.deepEqual(leaked(plugins), [], 'monitor_agent /api/plugins.json shows no secret');
});
