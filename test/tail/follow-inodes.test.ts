import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { startEngine, tempDir, waitUntil, type RunningEngine } from '../helpers/harness.ts';

const tmp = tempDir();
const running: RunningEngine[] = [];
after(async () => {
  for (const r of running) await r.stop().catch(() => undefined);
  tmp.cleanup();
});

let n = 0;
/** A tail source with follow_inodes on `pattern` in its own directory; events go to capture `id`. */
async function tail(dir: string, pattern: string, pos: string, id: string, extra = ''): Promise<RunningEngine> {
  const r = await startEngine(`
<source>
  @type tail
  path ${path.join(dir, pattern)}
  pos_file ${pos}
  follow_inodes true
  tag fi
  rotate_wait 1s
  refresh_interval 60s
  path_key file
  ${extra}
  <parse>
    @type none
  </parse>
</source>
<match fi>
  @type capture
  @id ${id}
</match>`);
  running.push(r);
  return r;
}

function freshDir(): { dir: string; pos: string; id: string } {
  const id = `fi${++n}`;
  const dir = path.join(tmp.dir, id);
  mkdirSync(dir);
  return { dir, pos: path.join(tmp.dir, `${id}.pos`), id };
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const messages = (r: RunningEngine, id: string) => r.events(id).map((e) => String(e.record.message));
const hex = (v: number) => v.toString(16).padStart(16, '0');
const readIfExists = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
/** The pos file's lines, sorted, as `path offset inode` with numbers. */
const posLines = (pos: string) => readIfExists(pos).split('\n').filter(Boolean).sort();
const posLine = (file: string, offset: number) => `${file}\t${hex(offset)}\t${hex(statSync(file).ino)}`;

function assertEachOnce(received: string[], expected: string[]): void {
  assert.deepEqual([...received].sort(), [...expected].sort());
}

test('glob *.log* + rename to .1 + new file: every line once, the renamed file is not read again, before or after rotate_wait', async () => {
  const { dir, pos, id } = freshDir();
  const log = path.join(dir, 'app.log');
  writeFileSync(log, 'a1\na2\n');
  const r = await tail(dir, '*.log*', pos, id, 'read_from_head true');
  await r.waitForEvents(id, 2);
  const rotatedIno = statSync(log).ino;
  renameSync(log, `${log}.1`);
  appendFileSync(`${log}.1`, 'a3\n'); // the app writes on to its open handle before it reopens
  writeFileSync(log, 'b1\n');
  await r.waitForEvents(id, 4);
  // rotate_wait (1s) passes: app.log.1 is still matched by the glob, so it is tailed on from where it was.
  await sleep(1800);
  appendFileSync(`${log}.1`, 'a4\n');
  appendFileSync(log, 'b2\n');
  await r.waitForEvents(id, 6);
  await sleep(1200);
  assertEachOnce(messages(r, id), ['a1', 'a2', 'a3', 'a4', 'b1', 'b2']);
  const fileOf = (message: string) => r.events(id).find((e) => e.record.message === message)?.record.file;
  assert.deepEqual(['a1', 'b1', 'b2', 'a4'].map(fileOf), [log, log, log, `${log}.1`], 'path_key is the name the file had when read');
  assert.equal(statSync(`${log}.1`).ino, rotatedIno);
  // One line per inode, each at the name it was last seen at, with its offset.
  await waitUntil(() => posLines(pos).join('\n') === [posLine(log, 6), posLine(`${log}.1`, 12)].sort().join('\n'), 3000, `pos lines per inode (have ${JSON.stringify(posLines(pos))})`);
});

test('restart: rotated and appended while stopped, every file resumes from its inode\'s entry; each line once', async () => {
  const { dir, pos, id } = freshDir();
  const log = path.join(dir, 'app.log');
  const gone = path.join(dir, 'gone.log');
  writeFileSync(log, 'a1\n');
  writeFileSync(gone, 'g1\n');
  const r1 = await tail(dir, '*.log*', pos, id, 'read_from_head true');
  await r1.waitForEvents(id, 2);
  renameSync(log, `${log}.1`);
  writeFileSync(log, 'b1\n');
  await r1.waitForEvents(id, 3);
  assertEachOnce(messages(r1, id), ['a1', 'b1', 'g1']);
  await r1.stop();
  assert.deepEqual(posLines(pos), [posLine(log, 3), posLine(`${log}.1`, 3), posLine(gone, 3)].sort());

  // While stopped: logrotate shifts both, and a third file appears; everyone writes on.
  renameSync(`${log}.1`, `${log}.2`);
  renameSync(log, `${log}.1`);
  appendFileSync(`${log}.2`, 'a2\n');
  appendFileSync(`${log}.1`, 'b2\n');
  writeFileSync(log, 'c1\n');
  // Deleted while stopped: its entry is dropped at start. (Deleted last, so that no new file reuses its inode number,
  // which would resume from the entry as the same file, in Fluentd too.)
  rmSync(gone);
  const id2 = `${id}b`;
  // Without read_from_head: known inodes resume from their entries, and the new file at a name the pos file knows
  // came while logferry was down, so it is read from its head too.
  const r2 = await tail(dir, '*.log*', pos, id2);
  await r2.waitForEvents(id2, 3);
  appendFileSync(`${log}.2`, 'a3\n');
  await r2.waitForEvents(id2, 4);
  await sleep(1500);
  assertEachOnce(messages(r2, id2), ['a2', 'b2', 'c1', 'a3']);
  await waitUntil(
    () => posLines(pos).join('\n') === [posLine(log, 3), posLine(`${log}.1`, 6), posLine(`${log}.2`, 9)].sort().join('\n'),
    3000,
    `pos lines per inode (have ${JSON.stringify(posLines(pos))})`,
  );
});

test('a rotated file path does not match is read for rotate_wait, then let go and its pos entry removed', async () => {
  const { dir, pos, id } = freshDir();
  const log = path.join(dir, 'app.log');
  writeFileSync(log, 'a1\n');
  const r = await tail(dir, 'app.log', pos, id, 'read_from_head true');
  await r.waitForEvents(id, 1);
  renameSync(log, `${log}.1`);
  writeFileSync(log, 'b1\n');
  await r.waitForEvents(id, 2);
  appendFileSync(`${log}.1`, 'a2\n'); // within rotate_wait: still read
  await r.waitForEvents(id, 3);
  await waitUntil(() => posLines(pos).join('\n') === posLine(log, 3), 4000, `only the new file's line (have ${JSON.stringify(posLines(pos))})`);
  appendFileSync(`${log}.1`, 'a3\n'); // let go: not read
  appendFileSync(log, 'b2\n');
  await r.waitForEvents(id, 4);
  await sleep(800);
  assertEachOnce(messages(r, id), ['a1', 'b1', 'a2', 'b2']);
});

test('a file renamed 40 times under load, the glob matching every name: every line exactly once', async () => {
  const { dir, pos, id } = freshDir();
  const log = path.join(dir, 'app.log');
  let fd = openSync(log, 'a');
  const r = await tail(dir, 'app.log*', pos, id, 'read_from_head true');
  let count = 0;
  let rotations = 0;
  const started = Date.now();
  let last = started;
  while (Date.now() - started < 4000) {
    let chunk = '';
    for (let i = 0; i < 100; i++) chunk += `line-${count++}\n`;
    writeSync(fd, chunk);
    if (Date.now() - last >= 100) {
      closeSync(fd);
      renameSync(log, `${log}.${++rotations}`);
      fd = openSync(log, 'a');
      last = Date.now();
    }
    await sleep(10);
  }
  closeSync(fd);
  await waitUntil(() => r.events(id).length >= count, 15_000, `all ${count} lines`);
  await sleep(1500); // past rotate_wait: nothing is read again
  assert.ok(rotations >= 20, `rotated ${rotations} times`);
  const seen = new Map<string, number>();
  for (const m of messages(r, id)) seen.set(m, (seen.get(m) ?? 0) + 1);
  const missing = Array.from({ length: count }, (_, i) => `line-${i}`).filter((m) => !seen.has(m));
  const duplicated = [...seen].filter(([, c]) => c > 1).length;
  assert.deepEqual({ received: r.events(id).length, missing: missing.length, duplicated }, { received: count, missing: 0, duplicated: 0 });
  await waitUntil(() => posLines(pos).length === rotations + 1, 3000, `one pos line per file (have ${posLines(pos).length})`);
});

test('follow_inodes without pos_file is a config error naming follow_inodes', async () => {
  await assert.rejects(
    startEngine(`
<source>
  @type tail
  path ${path.join(tmp.dir, 'none.log')}
  follow_inodes true
  tag t
  <parse>
    @type none
  </parse>
</source>
<match **>
  @type null
</match>`),
    (err: Error) => /parameter 'follow_inodes'/.test(err.message) && /Can't follow inodes without pos_file/.test(err.message),
  );
});
