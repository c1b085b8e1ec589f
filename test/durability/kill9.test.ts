/**
 * kill -9 durability, with real child processes: in_tail (pos_file) -> out_file through a file buffer, SIGKILLed at
 * random moments while a writer in this process appends numbered lines at a steady rate and rename-rotates the file.
 *
 * After every kill the on-disk state is what the next start resumes from, so the test reads it and checks the
 * design's invariant directly: every line before the position the next start reads from (the pos file entry, or the
 * head of the current file if the entry names another inode) is either in out_file's output or in a buffer chunk the
 * next start resumes. From the same state it predicts each line's final number of copies:
 *
 *   copies(x) = in output + in resumable chunks + (1 if x is at or after the restart position)
 *
 * New duplicates per kill come from two places only: the chunk being written when the kill came (written, not yet
 * purged: sent again; flush_thread_count 1 makes that one chunk of at most chunk_limit_records lines), and lines the
 * buffer accepted after the last pos_file write (in_tail writes it every 100 ms: read again). Each kill's increase is
 * asserted against that bound, and the final output after a graceful run must match the prediction line by line.
 *
 * Rotations happen while logferry runs, and it is killed 1-1.5 s later, inside rotate_wait: the pos file then keeps a
 * line for the rotated file and one for the new file, and the next start finds the rotated one by its inode. The last test rotates while logferry is down. The instant between the two renames of a chunk's enqueue, which random kills almost never hit,
 * is made by hand. Resume from a td-agent pos file is covered by test/tail/tail.test.ts.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { unpack } from 'msgpackr';
import { lineRanges, randomMs, sleep, tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, startLogferry, withTimeout } from '../helpers/logferry-process.ts';

const RATE = 3000; // lines per second, for the whole run
const FLUSH_INTERVAL_S = 1;
const CHUNK_RECORDS = 1500; // chunk_limit_records: the most lines one in-flight chunk can hold
/** Lines accepted after the last pos_file write (every 100 ms), with room for event-loop stalls under load. */
const POS_LAG_MS = 500;
const POS_LAG_LINES = (RATE * POS_LAG_MS) / 1000;
/** A run this long past "started" has read the lines that piled up while nothing tailed... */
const CAUGHT_UP_MS = 800;
/** ...and from then on its persisted position trails the writer by less than this. */
const POSITION_LAG_MS = 1000;
const CYCLES = 12;
/** Killed 300–1500 ms after spawn instead of after "started": the kill may land in startup (buffer resume, catch-up). */
const EARLY_KILL = new Set([3, 8]);
/** The tailed file is renamed away and recreated 200 ms after start; the kill comes 1000–1500 ms after that. */
const ROTATE = new Set([1, 6]);

const lineText = (n: number) => `seq=${String(n).padStart(9, '0')} kill9`;
const WIDTH = Buffer.byteLength(`${lineText(0)}\n`);
const LINE = /^seq=(\d{9}) kill9$/;

const tmp = tempDir('logferry-kill9-');
after(() => {
  killAllLogferry();
  tmp.cleanup();
});

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

/** Appends numbered fixed-width lines at RATE, so a byte offset names a line: base of its file + offset / WIDTH. */
class Writer {
  written = 0;
  /** Each file the path has named: its inode and the number of its first line. */
  readonly generations: Array<{ ino: number; base: number }> = [];
  private fd: number;
  private paced = 0;
  /** [time, lines written by then], one per append. */
  private readonly timeline: Array<[number, number]> = [[0, 0]];
  private t0 = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
    this.generations.push({ ino: fstatSync(this.fd).ino, base: 0 });
  }

  start(): void {
    this.t0 = Date.now();
    this.timer = setInterval(() => this.catchUp(), 10);
  }

  /** Appends `count` lines now (the tests that drive the writer themselves). */
  append(count: number): void {
    let text = '';
    for (let i = 0; i < count; i++) text += `${lineText(this.written++)}\n`;
    if (text) writeSync(this.fd, text);
    this.timeline.push([Date.now(), this.written]);
  }

  /** Lines written by the time `t` (ms since the epoch). */
  writtenAt(t: number): number {
    let lo = 0;
    let hi = this.timeline.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.timeline[mid]![0] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.timeline[lo]![1];
  }

  private catchUp(): void {
    if (this.timer === null) return;
    const due = Math.floor(((Date.now() - this.t0) * RATE) / 1000);
    this.append(due - this.paced);
    this.paced = due;
  }

  /** logrotate's rename + create; the application writes a few more lines to the renamed file before it reopens. */
  rotate(): void {
    this.catchUp();
    renameSync(this.file, `${this.file}.${this.generations.length}`);
    this.append(30);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.generations.push({ ino: fstatSync(this.fd).ino, base: this.written });
  }

  stop(): void {
    this.catchUp();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    closeSync(this.fd);
  }

  /** The pos file entry in_tail writes once it has committed every line of the current file. */
  posEntryAtEnd(): string {
    const current = this.generations.at(-1)!;
    return `${this.file}\t${hex16((this.written - current.base) * WIDTH)}\t${hex16(current.ino)}`;
  }

  /** The line after the last line of the file with this inode. */
  generationEnd(ino: number): number {
    const i = this.generations.findIndex((g) => g.ino === ino);
    return this.generations[i + 1]?.base ?? this.written;
  }

  /** The line an offset in the file with this inode points at (a position must sit on a line boundary). */
  lineAt(ino: number, pos: number): number {
    const i = this.generations.findIndex((g) => g.ino === ino);
    assert.ok(i >= 0, `pos_file names inode ${ino}, which is none of the tailed file's generations`);
    assert.equal(pos % WIDTH, 0, `pos_file offset ${pos} is not on a line boundary (lines are ${WIDTH} bytes)`);
    const line = this.generations[i]!.base + pos / WIDTH;
    const end = this.generations[i + 1]?.base ?? this.written;
    assert.ok(line <= end, `pos_file offset ${pos} is past the end of that file (line ${line} > ${end})`);
    return line;
  }
}

interface Dirs {
  log: string;
  pos: string;
  out: string;
  buffer: string;
  root: string;
}

function dirsIn(dir: string): Dirs {
  mkdirSync(path.join(dir, 'out'), { recursive: true });
  return {
    log: path.join(dir, 'app.log'),
    pos: path.join(dir, 'app.log.pos'),
    out: path.join(dir, 'out'),
    buffer: path.join(dir, 'buffer'),
    root: path.join(dir, 'root'),
  };
}

/** in_tail -> out_file (a new file per chunk, so a write cut by a kill tears only its own file) via a file buffer. */
function configText(dirs: Dirs, flushIntervalS: number): string {
  return `
<system>
  root_dir ${dirs.root}
</system>
<source>
  @type tail
  path ${dirs.log}
  pos_file ${dirs.pos}
  tag kill9
  read_from_head true
  <parse>
    @type none
  </parse>
</source>
<match kill9>
  @type file
  path ${dirs.out}/ferry
  <format>
    @type single_value
  </format>
  <buffer time>
    @type file
    path ${dirs.buffer}
    timekey 1d
    flush_mode interval
    flush_interval ${flushIntervalS}s
    chunk_limit_records ${CHUNK_RECORDS}
    flush_at_shutdown true
  </buffer>
</match>
`;
}

/** What a restart resumes from, read off the disk while no logferry runs. */
interface DiskState {
  /** Copies of each line in out_file's output (complete lines only). */
  out: Uint16Array;
  /** Copies of each line in buffer chunks the next start resumes (each chunk's body up to what its meta vouches for). */
  buffered: Uint16Array;
  /** 1 for each line the next start reads again: at or after a position the pos file keeps for its file. */
  reread: Uint8Array;
  /** The first line the next start reads again (written, if none). */
  restart: number;
  /** Lines written so far. */
  written: number;
  chunks: Array<{ name: string; lines: number[] }>;
  /** Chunk files a resume would quarantine (no or unreadable meta, body shorter than its meta says), with line counts. */
  broken: string[];
  orphanMetas: number;
  tornOutputLines: number;
  malformed: string[];
}

function readDiskState(dirs: Dirs, writer: Writer): DiskState {
  const written = writer.written;
  const count = (into: Uint16Array, text: string, where: string, malformed: string[]): void => {
    for (const piece of text.split('\n')) {
      const m = LINE.exec(piece);
      if (!m) {
        malformed.push(`${where}: ${JSON.stringify(piece.slice(0, 80))}`);
        continue;
      }
      const n = Number(m[1]);
      if (n >= written) malformed.push(`${where}: line ${n} was never written (${written} so far)`);
      else into[n]!++;
    }
  };

  const out = new Uint16Array(written);
  const malformed: string[] = [];
  let tornOutputLines = 0;
  if (existsSync(dirs.out)) {
    for (const name of readdirSync(dirs.out)) {
      const text = readFileSync(path.join(dirs.out, name), 'utf8');
      if (text === '') continue;
      const end = text.lastIndexOf('\n');
      if (end < text.length - 1) tornOutputLines++; // a chunk write cut by the kill; the chunk is sent again whole
      if (end >= 0) count(out, text.slice(0, end), `out/${name}`, malformed);
    }
  }

  const buffered = new Uint16Array(written);
  const chunks: DiskState['chunks'] = [];
  const broken: string[] = [];
  let orphanMetas = 0;
  const names = existsSync(dirs.buffer) ? readdirSync(dirs.buffer) : [];
  for (const name of names) {
    if (name.endsWith('.meta')) {
      const chunk = name.slice(0, -'.meta'.length);
      if (!names.includes(chunk) && !names.includes(chunk.replace(/\.([bq])([0-9a-f]{32})\./, (_, s: string, i: string) => `.${s === 'b' ? 'q' : 'b'}${i}.`))) orphanMetas++;
      continue;
    }
    const id = /\.(b|q)([0-9a-f]{32})\./.exec(name);
    if (!id) continue;
    const body = readFileSync(path.join(dirs.buffer, name));
    // An enqueue cut between its two renames leaves the meta under the other state's name; resume finishes it.
    const metaName = [`${name}.meta`, `${name.replace(id[0], `.${id[1] === 'b' ? 'q' : 'b'}${id[2]}.`)}.meta`].find((m) => names.includes(m));
    let bytesize: number;
    try {
      if (!metaName) throw new Error('no meta');
      const raw = readFileSync(path.join(dirs.buffer, metaName));
      const meta = unpack(raw.subarray(0, 2).equals(Buffer.from([0xc1, 0])) ? raw.subarray(6, 6 + raw.readUInt32BE(2)) : raw) as { bytesize?: number; s?: number };
      if (typeof meta?.s !== 'number') throw new Error('meta without a record count');
      bytesize = meta.bytesize ?? body.length;
    } catch (err) {
      broken.push(`${name} (${body.toString('utf8').split('\n').length - 1} lines): ${(err as Error).message}`);
      continue;
    }
    if (body.length < bytesize) {
      broken.push(`${name}: ${body.length} bytes, meta vouches for ${bytesize}`);
      continue;
    }
    const text = body.subarray(0, bytesize).toString('utf8');
    if (text === '') continue;
    const before = buffered.slice();
    count(buffered, text.replace(/\n$/, ''), `buffer/${name}`, malformed);
    const lines: number[] = [];
    for (let i = 0; i < written; i++) if (buffered[i] !== before[i]) lines.push(i);
    chunks.push({ name, lines });
  }

  // in_tail's start: each rotated file the pos file keeps a line for (before the path's last line) is found by its
  // inode and read from its offset to its end. The path's last line is its current file: read from its offset, and
  // if that file was rotated away meanwhile, so is every generation after it. Without a current line, the head of
  // the file at the path.
  const reread = new Uint8Array(written);
  const entries: Array<{ ino: number; pos: number }> = [];
  if (existsSync(dirs.pos)) {
    for (const entry of readFileSync(dirs.pos, 'utf8').split('\n')) {
      const [file, pos, ino] = entry.split('\t');
      if (file !== writer.file || !pos || !ino || /^f{16}$/i.test(pos)) continue;
      entries.push({ ino: parseInt(ino, 16), pos: parseInt(pos, 16) });
    }
  }
  const current = entries.pop();
  for (const e of entries) reread.fill(1, writer.lineAt(e.ino, e.pos), writer.generationEnd(e.ino));
  reread.fill(1, current ? writer.lineAt(current.ino, current.pos) : writer.generations.at(-1)!.base);
  const restart = reread.indexOf(1) < 0 ? written : reread.indexOf(1);
  return { out, buffered, reread, restart, written, chunks, broken, orphanMetas, tornOutputLines, malformed };
}

/** The pos file's line for the current file of the path: its last one. */
function posEntry(dirs: Dirs): string | undefined {
  return existsSync(dirs.pos) ? readFileSync(dirs.pos, 'utf8').split('\n').filter((l) => l.startsWith(`${dirs.log}\t`)).at(-1) : undefined;
}

/** readDiskState while logferry runs: a chunk may be purged between listing and reading it. */
function tryDiskState(dirs: Dirs, writer: Writer): DiskState | null {
  try {
    return readDiskState(dirs, writer);
  } catch {
    return null;
  }
}

/** Copies each line will have once a run ends cleanly after this state. */
function predictedCopies(s: DiskState, x: number): number {
  return s.out[x]! + s.buffered[x]! + s.reread[x]!;
}

function extraCopies(s: DiskState): number {
  let extra = 0;
  for (let x = 0; x < s.written; x++) extra += Math.max(0, predictedCopies(s, x) - 1);
  return extra;
}

test(`kill -9 ${CYCLES} times under ${RATE} lines/s with rename-rotations: no line lost, duplicates only from the in-flight chunk and the pos_file lag`, { timeout: 110_000 }, async (t) => {
  const dirs = dirsIn(path.join(tmp.dir, 'cycles'));
  const conf = path.join(tmp.dir, 'cycles', 'logferry.conf');
  writeFileSync(conf, configText(dirs, FLUSH_INTERVAL_S));

  const writer = new Writer(dirs.log);
  writer.start();
  const warnings: string[] = [];
  let previous: DiskState | null = null;
  let extraBefore = 0;
  let duplicateBound = 0;
  const perKill: string[] = [];
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const restartBefore = previous?.restart ?? 0;
      const child = startLogferry(conf);
      let plan: string;
      let startedAt = Infinity;
      if (EARLY_KILL.has(cycle)) {
        const delay = randomMs(300, 1500);
        await sleep(delay);
        plan = `early kill ${delay} ms after spawn`;
      } else {
        assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), `logferry exited at start: ${child.log.join('\n')}`);
        startedAt = Date.now();
        if (ROTATE.has(cycle)) {
          await sleep(200);
          writer.rotate();
          const delay = randomMs(1000, 1500);
          await sleep(delay);
          plan = `rotated, killed ${delay} ms later`;
        } else {
          const delay = randomMs(300, 1500);
          await sleep(delay);
          plan = `killed ${delay} ms after start`;
        }
      }
      const killedAt = Date.now();
      await kill9(child);
      warnings.push(...child.log);

      const s = readDiskState(dirs, writer);
      const where = `after kill ${cycle + 1} (${plan})`;
      assert.deepEqual(s.malformed.slice(0, 5), [], `${where}: malformed lines`);
      const lost: number[] = [];
      for (let x = 0; x < s.written; x++) if (!s.reread[x] && s.out[x] === 0 && s.buffered[x] === 0) lost.push(x);
      assert.equal(lost.length, 0,
        `${where}: lines the next start does not read again are neither in the output nor in a resumable chunk: ${lineRanges(lost)}; ` +
        `broken chunks: ${s.broken.join('; ') || 'none'}; logferry's warnings: ${child.log.join(' | ') || 'none'}`);

      const extra = extraCopies(s);
      const added = extra - extraBefore;
      let reread = 0;
      for (let x = 0; x < s.written; x++) if (s.reread[x] && s.out[x]! + s.buffered[x]! > 0) reread++;
      const inFlight = s.chunks.filter((c) => c.lines.some((x) => s.out[x]! > 0)).map((c) => `${c.name.slice(7, 16)}…:${c.lines.filter((x) => s.out[x]! > 0).length}`);
      perKill.push(`kill ${cycle + 1} (${plan}): +${added} duplicates (read again ${reread}, in buffer and output ${inFlight.join(' ') || '-'}), ` +
        `restart at line ${s.restart} of ${s.written}, ${s.chunks.length} chunks`);
      assert.ok(added >= 0, `${where}: copies already delivered or buffered went missing (${extraBefore} extra copies before, ${extra} now)`);
      // A run that has caught up persists its position every 100 ms: what the next start reads again is the last
      // fraction of a second. A kill in startup or catch-up may find everything this run read still unpersisted.
      // A rotation changes nothing here: the rotated file and the new one each keep a pos line of their own.
      const caughtUp = killedAt - startedAt >= CAUGHT_UP_MS;
      const rereadBound = caughtUp ? POS_LAG_LINES : POS_LAG_LINES + Math.max(0, writer.writtenAt(killedAt) - restartBefore);
      if (caughtUp) {
        const due = writer.writtenAt(killedAt - POSITION_LAG_MS);
        assert.ok(s.restart >= due, `${where}: the pos_file lags: the next start reads from line ${s.restart}, but lines up to ${due} were written ${POSITION_LAG_MS} ms before the kill`);
      }
      assert.ok(reread <= rereadBound, `${where}: ${reread} lines accepted by the buffer are past the persisted position (bound ${rereadBound})`);
      // New duplicates: the one chunk being written (flush_thread_count 1), and the lines read again.
      assert.ok(added <= CHUNK_RECORDS + reread, `${where}: ${added} new duplicates, more than one chunk (${CHUNK_RECORDS}) plus the ${reread} lines read again`);
      extraBefore = extra;
      duplicateBound += CHUNK_RECORDS + rereadBound;
      previous = s;
    }
  } finally {
    writer.stop();
  }

  // The last run: the writer is stopped; let logferry deliver everything, then stop it gracefully.
  const last = previous!;
  const child = startLogferry(conf);
  assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), `logferry exited at start: ${child.log.join('\n')}`);
  await waitUntil(() => {
    const s = tryDiskState(dirs, writer);
    return s !== null && s.chunks.length === 0 && s.out.every((c) => c > 0);
  }, 30_000, 'every line in the output and an empty buffer');
  child.proc.kill('SIGTERM');
  const { code } = await withTimeout(child.exited, 15_000, 'logferry to exit after SIGTERM');
  warnings.push(...child.log);
  assert.equal(code, 0, `logferry's exit code after SIGTERM; warnings: ${child.log.join('\n')}`);

  const final = readDiskState(dirs, writer);
  assert.deepEqual(final.malformed.slice(0, 5), [], 'malformed lines in the output');
  const missing: number[] = [];
  const unexpected: string[] = [];
  let duplicates = 0;
  let most = 0;
  for (let x = 0; x < final.written; x++) {
    const copies = final.out[x]!;
    if (copies === 0) missing.push(x);
    duplicates += Math.max(0, copies - 1);
    most = Math.max(most, copies);
    const predicted = x < last.written ? predictedCopies(last, x) : 1;
    if (copies !== predicted && unexpected.length < 5) unexpected.push(`line ${x}: ${copies} copies, predicted ${predicted}`);
  }
  t.diagnostic(`${final.written} lines written, ${writer.generations.length - 1} rotations, ${CYCLES} kills`);
  for (const line of perKill) t.diagnostic(line);
  t.diagnostic(`duplicates: ${duplicates} (${((100 * duplicates) / final.written).toFixed(2)}% of lines; at most ${most} copies of a line); ` +
    `torn output lines: ${final.tornOutputLines}; orphan .meta files: ${final.orphanMetas}`);
  if (warnings.length > 0) t.diagnostic(`logferry warnings: ${[...new Set(warnings.map((w) => w.replace(/^\S+ \S+ \S+ /, '')))].slice(0, 10).join(' | ')}`);

  assert.equal(missing.length, 0, `lines lost: ${lineRanges(missing)}`);
  assert.deepEqual(unexpected, [], 'copies per line differ from what the state at the last kill predicts');
  assert.ok(duplicates <= duplicateBound, `${duplicates} duplicates, bound ${duplicateBound}`);
  assert.deepEqual(final.broken, [], 'chunk files a resume would quarantine');
  const backups = existsSync(path.join(dirs.root, 'backup')) ? readdirSync(path.join(dirs.root, 'backup'), { recursive: true }) : [];
  assert.deepEqual(backups, [], 'chunks moved to the backup directory (quarantined or given up)');
  assert.equal(posEntry(dirs), writer.posEntryAtEnd(), 'the pos file holds the end of the current file after the graceful stop');
});

/** Runs logferry until the pos file shows every line written so far committed, then SIGKILLs it. */
async function runUntilCommitted(conf: string, dirs: Dirs, writer: Writer): Promise<void> {
  const child = startLogferry(conf);
  assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), `logferry exited at start: ${child.log.join('\n')}`);
  await waitUntil(() => posEntry(dirs) === writer.posEntryAtEnd(), 10_000, `pos file entry ${writer.posEntryAtEnd()} (has ${posEntry(dirs)})`);
  await kill9(child);
}

/** Runs logferry until every line is in the output (or `ms` passed), then stops it with SIGTERM; returns its warnings. */
async function runToCompletion(conf: string, dirs: Dirs, writer: Writer, ms: number): Promise<string[]> {
  const child = startLogferry(conf);
  assert.ok(await withTimeout(child.started, 20_000, 'logferry to start'), `logferry exited at start: ${child.log.join('\n')}`);
  await waitUntil(() => tryDiskState(dirs, writer)?.out.every((c) => c > 0) ?? false, ms, 'every line in the output').catch(() => {});
  child.proc.kill('SIGTERM');
  const { code } = await withTimeout(child.exited, 15_000, 'logferry to exit after SIGTERM');
  assert.equal(code, 0, `logferry's exit code after SIGTERM; warnings: ${child.log.join('\n')}`);
  return child.log;
}

function missingLines(s: DiskState): number[] {
  const missing: number[] = [];
  for (let x = 0; x < s.written; x++) if (s.out[x] === 0) missing.push(x);
  return missing;
}

// An enqueue renames the chunk and its meta from .b to .q with two rename(2) calls; the random kills above almost
// never land between them, so that instant is made by hand here, in logferry's order and in Fluentd's.
for (const [order, moved] of [['meta first, as logferry renames', 'meta'], ['chunk first, as Fluentd renames', 'chunk']] as const) {
  test(`a kill between the two renames of an enqueue (${order}): the chunk is resumed as queued and written, not quarantined`, async () => {
    const dirs = dirsIn(path.join(tmp.dir, `enqueue-${moved}`));
    const conf = path.join(dirs.out, '..', 'logferry.conf');
    writeFileSync(conf, configText(dirs, 60)); // the chunk stays staged until the kill
    const writer = new Writer(dirs.log);
    writer.append(500);
    await runUntilCommitted(conf, dirs, writer);

    const staged = readdirSync(dirs.buffer).filter((name) => /\.b[0-9a-f]{32}\.log$/.test(name));
    assert.equal(staged.length, 1, `one staged chunk: ${readdirSync(dirs.buffer).join(' ')}`);
    const chunk = path.join(dirs.buffer, staged[0]!);
    const queued = chunk.replace(/\.b([0-9a-f]{32})\.log$/, '.q$1.log');
    if (moved === 'meta') renameSync(`${chunk}.meta`, `${queued}.meta`);
    else renameSync(chunk, queued);

    const warnings = await runToCompletion(conf, dirs, writer, 5000);
    writer.stop();
    const s = readDiskState(dirs, writer);
    assert.equal(lineRanges(missingLines(s)), '', `lines lost; logferry's warnings: ${warnings.join(' | ')}`);
    assert.ok(s.out.every((c) => c === 1), 'every line once');
    assert.deepEqual(readdirSync(dirs.buffer), [], 'the buffer is empty');
    assert.equal(existsSync(path.join(dirs.root, 'backup')), false, 'nothing was moved to the backup directory');
  });
}

test('a rename-rotation while logferry is down: the unread end of the renamed file is still read', async () => {
  const dirs = dirsIn(path.join(tmp.dir, 'rotated-while-down'));
  const conf = path.join(dirs.out, '..', 'logferry.conf');
  writeFileSync(conf, configText(dirs, FLUSH_INTERVAL_S));
  const writer = new Writer(dirs.log);
  writer.append(100);
  await runUntilCommitted(conf, dirs, writer);
  writer.append(100); // written while logferry is down...
  writer.rotate(); // ...then logrotate renames the file (the application writes 30 more lines to it) and creates a new one
  writer.append(100);
  await runToCompletion(conf, dirs, writer, 5000);
  writer.stop();
  const s = readDiskState(dirs, writer);
  assert.equal(lineRanges(missingLines(s)), '', 'lines lost');
});
