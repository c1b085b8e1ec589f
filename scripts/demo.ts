/**
 * `npm start`: logferry's main job with no AWS account. Starts s3rver on 127.0.0.1, runs logferry on conf/demo.conf
 * (tailing the bundled nginx and auth.log samples and running a listening-sockets command), appends a few more lines
 * while it runs, stops it gracefully, then prints the object keys written and a few decoded records.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

// Pinned SDK, known Node 20 support notice: keep the demo's output about the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bucket = 'logferry-demo';
// Kept after the run (and replaced by the next one), so the objects can be looked at.
const work = path.join(repo, '.tmp', 'demo');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const demoDir = path.join(work, 'logs');
cpSync(path.join(repo, 'conf/demo'), demoDir, { recursive: true });

const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, directory: path.join(work, 's3'), configureBuckets: [{ name: bucket, configs: [] }],
});
const { port } = (await server.run()) as { port: number };
const endpoint = `http://127.0.0.1:${port}`;
console.log(`s3rver listening on ${endpoint}, bucket ${bucket}`);

const env = {
  ...process.env,
  DEMO_DIR: demoDir,
  S3_BUCKET: bucket,
  AWS_ENDPOINT_URL_S3: endpoint,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const agent = spawn(process.execPath, [path.join(repo, 'bin/logferry.mjs'), '-c', path.join(repo, 'conf/demo.conf'), '--suppress-config-dump'], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const exited = new Promise<number | null>((resolve) => agent.on('close', resolve));

await sleep(2000);
const now = new Date();
const stamp = now.toUTCString().split(' ');
appendFileSync(
  path.join(demoDir, 'access.log'),
  `203.0.113.50 - - [${stamp[1]}/${stamp[2]}/${stamp[3]}:${stamp[4]} +0000] "GET /demo HTTP/1.1" 200 42 "-" "logferry-demo"\n`,
);
appendFileSync(path.join(demoDir, 'auth-iso.log'), `${now.toISOString().replace('Z', '+00:00')} web sshd[4242]: Accepted publickey for demo from 203.0.113.50 port 40000 ssh2\n`);
appendFileSync(path.join(demoDir, 'access.log'), 'this line is not nginx\n');
await sleep(5000);
agent.kill('SIGTERM');
const code = await exited;

const client = new S3Client({
  endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
const objectsDir = path.join(work, 'objects');
console.log(`\nlogferry exited with ${code}; ${keys.length} objects in s3://${bucket}:`);
const bodies = new Map<string, Buffer>();
for (const key of keys) {
  console.log(`  ${key}`);
  const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await body.Body!.transformToByteArray());
  bodies.set(key, bytes);
  mkdirSync(path.dirname(path.join(objectsDir, key)), { recursive: true });
  writeFileSync(path.join(objectsDir, key), bytes);
}
for (const prefix of ['nginx/', 'auth/', 'netstat/', 'netstat.changes/']) {
  const key = keys.find((k) => k.startsWith(prefix));
  if (!key) continue;
  const bytes = bodies.get(key)!;
  const lines = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8').trim().split('\n');
  console.log(`\n${key} (${lines.length} records), first ${Math.min(2, lines.length)}:`);
  for (const line of lines.slice(0, 2)) console.log(`  ${line}`);
}
console.log(`\nThe objects are kept in ${path.relative(process.cwd(), objectsDir) || objectsDir}/ (zcat them); the next npm start replaces them.`);
await server.close();
process.exit(code === 0 && keys.length > 0 ? 0 : 1);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
