import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { BIN, REPO_ROOT, SAMPLES_DIR, tempDir, waitUntil } from '../helpers/harness.ts';
import { startS3rver } from '../helpers/s3rver.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

test("the seed's td-agent.conf + config.d layout runs as is against S3 given by AWS_ENDPOINT_URL_S3", async () => {
  // The seed's files verbatim, with /var/log moved under a temp dir (the test is not allowed the real one).
  const root = path.join(tmp.dir, 'root');
  cpSync(path.join(REPO_ROOT, 'conf/seed'), path.join(tmp.dir, 'seed'), { recursive: true });
  for (const name of readdirSync(path.join(tmp.dir, 'seed/config.d'))) {
    const file = path.join(tmp.dir, 'seed/config.d', name);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('/var/log/', `${root}/var/log/`));
  }
  mkdirSync(`${root}/var/log/nginx`, { recursive: true });
  cpSync(path.join(SAMPLES_DIR, 'access.log'), `${root}/var/log/nginx/access.log`);
  cpSync(path.join(SAMPLES_DIR, 'auth.log'), `${root}/var/log/auth.log`);
  const s3 = await startS3rver('seed-bucket');
  const child = spawn(process.execPath, [BIN, '-c', path.join(tmp.dir, 'seed/td-agent.conf')], {
    env: {
      ...process.env, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_KEY_ID: 'S3RVER', AWS_SECRET: 'S3RVER', AWS_S3_BUCKET: 'seed-bucket', AWS_REGION: 'us-east-1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitUntil(() => stderr.includes('logferry started'), 15_000, 'the agent to start');
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGUSR1');
    await waitUntil(async () => (await s3.listKeys()).length >= 2, 15_000, `objects for nginx and auth; log: ${stderr.slice(-2000)}`);
    const keys = await s3.listKeys();
    const nginxKey = keys.find((k) => k.startsWith('nginx/'))!;
    const authKey = keys.find((k) => k.startsWith('auth/') && k.includes('/04/16/'))!;
    assert.match(nginxKey, /^nginx\/\d{4}\/\d\d\/\d\d\/\d{8}_0\.txt$/);
    assert.match(authKey, /^auth\/\d{4}\/\d\d\/\d\d\/\d{8}_0\.json$/);
    // nginx: the raw lines, byte for byte (parse none + single_value).
    assert.equal((await s3.getObject(nginxKey)).text, readFileSync(path.join(SAMPLES_DIR, 'access.log'), 'utf8'));
    const auth = (await s3.getObject(authKey)).text.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(auth[0], { host: 'web', ident: 'sshd', pid: '1234', message: 'Accepted publickey for deploy from 203.0.113.7 port 51122 ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0' });
    assert.equal((await s3.getObject(authKey)).contentType, 'application/json');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    await s3.stop();
  }
});
