/**
 * What a restart finds after rotations it did not see happen: each file with unread bytes keeps its own pos line
 * (rotated files before the path's current one), so the next start reads every rotated file's rest and every
 * generation that rotated while nothing tailed, exactly once.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, readFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';

const tmp = tempDir('logferry-rotation-recovery-');
const running = new Set<RunningEngine>();
after(async () => {
  for (const r of running) await r.stop();
  tmp.cleanup();
});

const hex = (n: number) => n.toString(16).padStart(16, '0');
const lines = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}\n`).join('');

async function tail(file: string, pos: string, id: string, rotateWait = '30s'): Promise<RunningEngine> {
  const r = await startEngine(`
<source>
  @type tail
  path ${file}
  pos_file ${pos}
  tag t
  read_from_head true
  rotate_wait ${rotateWait}
  <parse>
    @type none
  </parse>
</source>
<match t>
  @type capture
  @id ${id}
</match>`);
  running.add(r);
  return r;
}

async function stop(r: RunningEngine): Promise<void> {
  running.delete(r);
  await r.stop();
}

const messages = (r: RunningEngine, id: string) => r.events(id).map((e) => String(e.record.message));
const posLines = (pos: string) => readFileSync(pos, 'utf8').split('\n').filter(Boolean);

test('a stop while two rotated files are still read: the pos file keeps a line for each, and the next start reads the rest of both', async () => {
  const file = path.join(tmp.dir, 'two.log');
  const pos = path.join(tmp.dir, 'two.pos');
  writeFileSync(file, lines('a', 0, 3));
  const r1 = await tail(file, pos, 'two1');
  await r1.waitForEvents('two1', 3);
  renameSync(file, `${file}.1`);
  writeFileSync(file, lines('b', 0, 3));
  await r1.waitForEvents('two1', 6);
  renameSync(`${file}.1`, `${file}.2`);
  renameSync(file, `${file}.1`);
  writeFileSync(file, lines('c', 0, 3));
  await r1.waitForEvents('two1', 9);
  const [a, b, c] = [`${file}.2`, `${file}.1`, file].map((f) => statSync(f).ino);
  // Fluentd's format; the path's last line is its current file, the entry Fluentd itself would keep.
  const expected = [`${file}\t${hex(9)}\t${hex(a!)}`, `${file}\t${hex(9)}\t${hex(b!)}`, `${file}\t${hex(9)}\t${hex(c!)}`];
  await waitUntil(() => posLines(pos).join('\n') === expected.join('\n'), 3000, `one pos line per file (have ${JSON.stringify(posLines(pos))})`);
  await stop(r1);

  // The application still had both rotated files open and wrote to them while nothing tailed.
  appendFileSync(`${file}.2`, lines('a', 3, 5));
  appendFileSync(`${file}.1`, lines('b', 3, 5));
  appendFileSync(file, lines('c', 3, 5));
  const r2 = await tail(file, pos, 'two2', '1s');
  await r2.waitForEvents('two2', 6);
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual(messages(r2, 'two2').sort(), ['a3', 'a4', 'b3', 'b4', 'c3', 'c4']);
  // Once drained and rotate_wait has passed, only the current file's line is left.
  await waitUntil(() => posLines(pos).join('\n') === `${file}\t${hex(15)}\t${hex(c!)}`, 5000, `only the current file's line (have ${JSON.stringify(posLines(pos))})`);
});

test('several rotations while nothing tailed: the known file\'s rest, then every generation it never opened, then the new file', async () => {
  const file = path.join(tmp.dir, 'down.log');
  const pos = path.join(tmp.dir, 'down.pos');
  writeFileSync(file, lines('a', 0, 2));
  const r1 = await tail(file, pos, 'down1');
  await r1.waitForEvents('down1', 2);
  await waitUntil(() => posLines(pos).length === 1 && posLines(pos)[0]!.includes(hex(6)), 3000, 'the pos line at the end of the file');
  await stop(r1);

  // logrotate (numbered) runs three times while logferry is down; the application writes between the runs.
  appendFileSync(file, lines('a', 2, 4));
  const t0 = Date.now() / 1000 - 100;
  const rotate = (generation: number) => {
    for (let n = generation; n >= 1; n--) renameSync(n === 1 ? file : `${file}.${n - 1}`, `${file}.${n}`);
  };
  utimesSync(file, t0, t0);
  rotate(1);
  writeFileSync(file, lines('b', 0, 3));
  utimesSync(file, t0 + 10, t0 + 10);
  rotate(2);
  writeFileSync(file, lines('c', 0, 3));
  utimesSync(file, t0 + 20, t0 + 20);
  rotate(3);
  writeFileSync(file, lines('d', 0, 3));
  // An old generation of an earlier day, already read: older than the file the pos file knows, so not read again.
  writeFileSync(`${file}.9`, lines('old', 0, 3));
  utimesSync(`${file}.9`, t0 - 1000, t0 - 1000);
  // A rotation logrotate has compressed, however new: not text to tail.
  writeFileSync(`${file}.4.gz`, lines('gz', 0, 3));

  const r2 = await tail(file, pos, 'down2');
  await r2.waitForEvents('down2', 11);
  await new Promise((res) => setTimeout(res, 300));
  assert.deepEqual(messages(r2, 'down2'), ['a2', 'a3', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2', 'd0', 'd1', 'd2']);
});

test('copytruncate: lines written just before the copy are read from the copy, even when the file regrew past the old offset before the next poll', async () => {
  const file = path.join(tmp.dir, 'copy.log');
  const pos = path.join(tmp.dir, 'copy.pos');
  writeFileSync(file, lines('a', 0, 5));
  const r = await tail(file, pos, 'copy');
  await r.waitForEvents('copy', 5);
  // In one turn of the event loop, so no poll comes between: more lines, the copy, the truncation, and new lines
  // that make the file longer than the offset logferry had reached.
  appendFileSync(file, lines('a', 5, 8));
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, lines('bbbbbbbb', 0, 6));
  await r.waitForEvents('copy', 14);
  await new Promise((res) => setTimeout(res, 400));
  assert.deepEqual(messages(r, 'copy'), [...lines('a', 0, 8).split('\n'), ...lines('bbbbbbbb', 0, 6).split('\n')].filter(Boolean));
});

test('copytruncate and then a rename before the next poll: the copy\'s rest, the renamed file from its head, then the new file', async () => {
  const file = path.join(tmp.dir, 'copyrename.log');
  const pos = path.join(tmp.dir, 'copyrename.pos');
  writeFileSync(file, lines('a', 0, 5));
  const r = await tail(file, pos, 'copyrename');
  await r.waitForEvents('copyrename', 5);
  appendFileSync(file, lines('a', 5, 8));
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, lines('bbbbbbbb', 0, 6));
  renameSync(file, `${file}.2`);
  writeFileSync(file, lines('c', 0, 2));
  await r.waitForEvents('copyrename', 16);
  await new Promise((res) => setTimeout(res, 400));
  assert.deepEqual(messages(r, 'copyrename').sort(), [...lines('a', 0, 8).split('\n'), ...lines('bbbbbbbb', 0, 6).split('\n'), ...lines('c', 0, 2).split('\n')].filter(Boolean).sort());
});

test('copytruncate of a file before any of it was read (opened empty, then written, copied and truncated between two polls): the copy is read', async () => {
  const file = path.join(tmp.dir, 'early.log');
  const pos = path.join(tmp.dir, 'early.pos');
  writeFileSync(file, lines('a', 0, 2));
  const r = await tail(file, pos, 'early');
  await r.waitForEvents('early', 2);
  renameSync(file, `${file}.1`);
  writeFileSync(file, '');
  const ino = statSync(file).ino;
  await waitUntil(() => posLines(pos).some((l) => l.startsWith(`${file}\t`) && l.endsWith(hex(ino))), 3000, 'the new, empty file opened');
  appendFileSync(file, lines('b', 0, 4));
  copyFileSync(file, `${file}.2`);
  truncateSync(file, 0);
  appendFileSync(file, lines('c', 0, 2));
  await r.waitForEvents('early', 8);
  await new Promise((res) => setTimeout(res, 400));
  assert.deepEqual(messages(r, 'early').sort(), ['a0', 'a1', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1']);
});

test('copytruncate while logferry is down, the file regrown past the old offset: the pos file\'s last line tells, and the copy\'s rest is read', async () => {
  const file = path.join(tmp.dir, 'copydown.log');
  const pos = path.join(tmp.dir, 'copydown.pos');
  writeFileSync(file, lines('a', 0, 5));
  const r1 = await tail(file, pos, 'copydown1');
  await r1.waitForEvents('copydown1', 5);
  await waitUntil(() => posLines(pos)[0]?.includes(hex(15)) ?? false, 3000, 'the pos line at the end of the file');
  await stop(r1);
  appendFileSync(file, lines('a', 5, 8));
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  appendFileSync(file, lines('bbbbbbbb', 0, 6));
  const r2 = await tail(file, pos, 'copydown2');
  await r2.waitForEvents('copydown2', 9);
  await new Promise((res) => setTimeout(res, 400));
  assert.deepEqual(messages(r2, 'copydown2').sort(), [...lines('a', 5, 8).split('\n'), ...lines('bbbbbbbb', 0, 6).split('\n')].filter(Boolean).sort());
});
