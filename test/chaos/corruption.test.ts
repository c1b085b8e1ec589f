/**
 * Corruption at start-up: a torn buffer chunk (its body cut shorter than its meta vouches for) and a pos file with
 * garbage and a truncated line. Each is reported and set aside, and the rest is delivered: the broken chunk is kept
 * in the backup directory, and the file the pos file no longer names is read again from its head (read_from_head),
 * so every line still reaches the bucket.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, startLogferry, withTimeout } from '../helpers/logferry-process.ts';
import { startS3rver, type LocalS3 } from '../helpers/s3rver.ts';
import { countDelivery, NginxWriter, pipelineConfig } from './chaos-kit.ts';

const tmp = tempDir('logferry-chaos-corrupt-');
let s3: LocalS3 | undefined;
after(async () => {
  killAllLogferry();
  await s3?.stop();
  tmp.cleanup();
});

const chunkFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /\.[bq][0-9a-f]{32}\.log$/.test(f)) : []);

test('a torn chunk and a pos file with garbage and a cut line: both reported and set aside, every line delivered', { timeout: 60_000 }, async () => {
  s3 = await startS3rver('corrupt');
  const dir = tmp.dir;
  mkdirSync(path.join(dir, 'root'));
  const files = { log: path.join(dir, 'access.log'), pos: path.join(dir, 'access.log.pos'), buffer: path.join(dir, 'buffer'), root: path.join(dir, 'root') };
  const writer = new NginxWriter(files.log, 0);
  writer.append(3000);

  // With S3 unreachable the lines stay in the buffer; then the process dies.
  const down = path.join(dir, 'down.conf');
  writeFileSync(down, pipelineConfig({ ...files, endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'corrupt', extraBuffer: 'chunk_limit_records 1000' }));
  const first = startLogferry(down);
  assert.ok(await withTimeout(first.started, 20_000, 'logferry to start'), first.log.join('\n'));
  await waitUntil(() => existsSync(files.pos) && readFileSync(files.pos, 'utf8').includes(`\t${(statSync(files.log).size).toString(16).padStart(16, '0')}\t`), 10_000, 'every line read');
  await waitUntil(() => chunkFiles(files.buffer).length >= 2, 10_000, 'chunks in the buffer');
  await kill9(first);

  const torn = chunkFiles(files.buffer).sort()[0]!;
  truncateSync(path.join(files.buffer, torn), Math.floor(statSync(path.join(files.buffer, torn)).size / 2));
  const entry = readFileSync(files.pos, 'utf8').trim();
  writeFileSync(files.pos, `\u0000\u00ff\u0007 not a pos line\n${entry.slice(0, entry.length - 7)}`);

  const up = path.join(dir, 'up.conf');
  writeFileSync(up, pipelineConfig({ ...files, endpoint: s3.endpoint, bucket: 'corrupt', extraBuffer: 'chunk_limit_records 1000' }));
  const second = startLogferry(up);
  assert.ok(await withTimeout(second.started, 20_000, 'logferry to start again'), second.log.join('\n'));
  let delivery = await countDelivery(s3, 'nginx/', writer.written);
  await waitUntil(async () => (delivery = await countDelivery(s3!, 'nginx/', writer.written)).lost === 0 && chunkFiles(files.buffer).length === 0, 20_000, 'every line in the bucket')
    .catch(() => {});
  second.proc.kill('SIGTERM');
  assert.equal((await withTimeout(second.exited, 15_000, 'logferry to exit')).code, 0);
  writer.close();

  const log = second.log.join('\n');
  assert.match(log, /found a broken chunk file during resume; moved it aside/, 'the torn chunk is reported');
  assert.match(log, /pos_file has unreadable lines/, 'the pos file\'s garbage is reported');
  const backups = readdirSync(files.root, { recursive: true }).map(String);
  assert.ok(backups.some((f) => f.endsWith(`${torn}.broken`)), `the torn chunk is kept aside: ${backups.join(' ')}`);
  assert.equal(delivery.lost, 0, `lines lost: ${delivery.lostRanges}`);
  // The file is read again from its head: at most one more copy of each line (the resumed chunks' lines).
  assert.ok(delivery.duplicated <= writer.written, `${delivery.duplicated} duplicates of ${writer.written} lines`);
});
