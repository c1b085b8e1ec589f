import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';

const tmp = tempDir();
const running: RunningEngine[] = [];
after(async () => {
  for (const r of running) await r.stop();
  tmp.cleanup();
});

let n = 0;
async function tail(file: string, extra = '', parse = '@type none'): Promise<{ r: RunningEngine; id: string; pos: string }> {
  const id = `tail${++n}`;
  const pos = path.join(tmp.dir, `${id}.pos`);
  const r = await startEngine(`
<source>
  @type tail
  path ${file}
  pos_file ${pos}
  tag t.*
  read_from_head true
  rotate_wait 2s
  ${extra}
  <parse>
    ${parse}
  </parse>
</source>
<match t.**>
  @type capture
  @id ${id}
</match>
<label @ERROR>
  <match **>
    @type capture
    @id ${id}_errors
  </match>
</label>`);
  running.push(r);
  return { r, id, pos };
}

const readIfExists = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const messages = (r: RunningEngine, id: string) => r.events(id).map((e) => e.record.message);

test('lines in order; a last line without newline waits for it; CRLF stripped; a multi-byte character split across writes is whole', async () => {
  const file = path.join(tmp.dir, 'basic.log');
  writeFileSync(file, 'one\r\ntwo\nthr');
  const { r, id } = await tail(file);
  await r.waitForEvents(id, 2);
  await new Promise((res) => setTimeout(res, 400));
  assert.deepEqual(messages(r, id), ['one', 'two']);
  appendFileSync(file, 'ee\n');
  const euro = Buffer.from('€ sign\n');
  appendFileSync(file, euro.subarray(0, 1));
  await new Promise((res) => setTimeout(res, 400));
  appendFileSync(file, euro.subarray(1));
  await r.waitForEvents(id, 4);
  assert.deepEqual(messages(r, id), ['one', 'two', 'three', '€ sign']);
  assert.equal(r.events(id)[0]!.tag, `t.${file.replace(/\//g, '.').replace(/^\./, '')}`);
});

test('rename + create: the old file is read to its end, the new one from its head; the pos file follows the new inode', async () => {
  const file = path.join(tmp.dir, 'rotate.log');
  writeFileSync(file, 'a1\n');
  const { r, id, pos } = await tail(file);
  await r.waitForEvents(id, 1);
  renameSync(file, `${file}.1`);
  appendFileSync(`${file}.1`, 'a2\n'); // written by the app after the rename, before it reopens
  writeFileSync(file, 'b1\n');
  await r.waitForEvents(id, 3);
  appendFileSync(file, 'b2\n');
  await r.waitForEvents(id, 4);
  assert.deepEqual(messages(r, id).sort(), ['a1', 'a2', 'b1', 'b2']);
  const expected = `${file}\t0000000000000006\t${statSync(file).ino.toString(16).padStart(16, '0')}\n`;
  await waitUntil(() => readIfExists(pos) === expected, 3000, 'the pos file to hold the new inode at offset 6');
});

test('copytruncate: truncation is detected and the file is read again from its head', async () => {
  const file = path.join(tmp.dir, 'truncate.log');
  writeFileSync(file, 'first line\nsecond line\n');
  const { r, id } = await tail(file);
  await r.waitForEvents(id, 2);
  truncateSync(file, 0);
  await new Promise((res) => setTimeout(res, 400));
  appendFileSync(file, 'after\n');
  await r.waitForEvents(id, 3);
  assert.deepEqual(messages(r, id), ['first line', 'second line', 'after']);
});

test('resumes from a pos file written in td-agent\'s format; a file that appears later is read from its head', async () => {
  const file = path.join(tmp.dir, 'resume.log');
  writeFileSync(file, 'old1\nold2\nnew1\n');
  const pos = path.join(tmp.dir, 'td-agent.pos');
  writeFileSync(pos, `${file}\t${(10).toString(16).padStart(16, '0')}\t${statSync(file).ino.toString(16).padStart(16, '0')}\n`);
  const id = `resume${++n}`;
  const later = path.join(tmp.dir, 'later-*.log');
  const r = await startEngine(`
<source>
  @type tail
  path ${file},${later}
  pos_file ${pos}
  tag resume
  refresh_interval 1s
  path_key source_path
  <parse>
    @type none
  </parse>
</source>
<match resume>
  @type capture
  @id ${id}
</match>`);
  running.push(r);
  await r.waitForEvents(id, 1);
  assert.deepEqual(messages(r, id), ['new1']);
  writeFileSync(path.join(tmp.dir, 'later-1.log'), 'from later\n');
  await r.waitForEvents(id, 2, 5000);
  assert.equal(r.events(id)[1]!.record.message, 'from later');
  assert.equal(r.events(id)[1]!.record.source_path, path.join(tmp.dir, 'later-1.log'));
});

test('a line that does not parse goes to @ERROR with its raw text; parsed lines keep their time', async () => {
  const file = path.join(tmp.dir, 'nginx.log');
  writeFileSync(file, '10.0.0.1 - - [28/Feb/2013:12:00:00 +0900] "GET / HTTP/1.1" 200 5 "-" "ua"\nnot nginx at all\n');
  const { r, id } = await tail(file, '', '@type nginx');
  await r.waitForEvents(id, 1);
  const [bad] = await r.waitForEvents(`${id}_errors`, 1);
  assert.equal(bad?.record.message, 'not nginx at all');
  assert.equal(r.events(id)[0]!.sec, Date.parse('2013-02-28T03:00:00Z') / 1000);
});

test('read_bytes_limit_per_second: a file gives at most that many bytes (plus one line) per second, and all of it in the end', async () => {
  const file = path.join(tmp.dir, 'throttled.log');
  const line = (i: number) => `${String(i).padStart(6, '0')} ${'x'.repeat(92)}`; // 100 bytes with its newline
  writeFileSync(file, Array.from({ length: 400 }, (_, i) => `${line(i)}\n`).join(''));
  const started = Date.now();
  const { r, id } = await tail(file, 'read_bytes_limit_per_second 8k');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const early = r.events(id).length;
  assert.ok(early > 0, 'the first second is read');
  assert.ok(early * 100 <= 2 * (8192 + 100), `at most two seconds' worth in 1.5 s, got ${early} lines`);
  await r.waitForEvents(id, 400, 15_000);
  assert.deepEqual(messages(r, id), Array.from({ length: 400 }, (_, i) => line(i)));
  assert.ok(Date.now() - started >= 4000, '40,000 bytes at 8,192 per second take at least 4 s');
});

test('from_encoding converts the file\'s bytes to UTF-8; encoding must be UTF-8 and comes with from_encoding', async () => {
  const file = path.join(tmp.dir, 'latin1.log');
  writeFileSync(file, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in ISO-8859-1
  const { r, id } = await tail(file, 'encoding utf-8\n  from_encoding ISO-8859-1');
  await r.waitForEvents(id, 1);
  assert.deepEqual(messages(r, id), ['café']);
  await assert.rejects(tail(file, 'encoding ASCII-8BIT'), /parameter 'encoding'.*not supported/);
  await assert.rejects(tail(file, 'from_encoding ISO-8859-1'), /'from_encoding' parameter must be specified with 'encoding' parameter/);
  await assert.rejects(tail(file, 'encoding utf-8\n  from_encoding no-such-charset'), /unknown encoding name - no-such-charset/);
});

test('"following tail of PATH" at info, the source named by its type and file:line when it has no @id', async () => {
  const file = path.join(tmp.dir, 'following.log');
  writeFileSync(file, 'x\n');
  const { r, id } = await tail(file);
  await r.waitForEvents(id, 1);
  const line = r.logs.find((l) => l.msg === `following tail of ${file}`);
  assert.ok(line, JSON.stringify(r.logs.map((l) => l.msg)));
  assert.equal(line.level, 'info');
  assert.match(String(line.plugin_id), /^tail \S+:\d+$/);
});

test('a path that cannot be read is warned about once, not at every poll', async () => {
  const notADir = path.join(tmp.dir, 'plain-file');
  writeFileSync(notADir, '');
  const file = path.join(notADir, 'app.log'); // stat fails with ENOTDIR at every poll
  const { r } = await tail(file);
  await new Promise((res) => setTimeout(res, 1500));
  const warns = r.logs.filter((l) => l.level === 'warn' && l.path === file);
  assert.equal(warns.length, 1, JSON.stringify(warns));
});
