import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { glob } from 'tinyglobby';
import { ConfigError, defineInput, EventBatch, nowEventTime, p, ParserError, z, type EventRecord, type EventTime, type InputContext, type Parser } from '../src/plugin-api/index.ts';
import { compileStrftime } from '../src/time/strftime.ts';
import { resolveZone } from '../src/time/zone.ts';
import { FileReader, type Line } from '../src/tail/file-reader.ts';
import { PositionFile } from '../src/tail/position-file.ts';
import { expandTag } from '../src/tail/tag.ts';

// Fluentd polls each file every second and listens to inotify. logferry polls every 250 ms (the source of truth,
// which also works where inotify does not: NFS, overlay) and watches each directory with fs.watch as a wake-up hint,
// so a file renamed away and recreated several times between two polls still has every generation opened.
const POLL_MS = 250;
/** Fluentd's floor for read_bytes_limit_per_second (one read's worth). */
const MIN_READ_BYTES_LIMIT = 8192;

const params = z.object({
  path: p.string().describe('File paths, separated by path_delimiter; * globs; strftime placeholders (required).'),
  path_delimiter: p.string().default(',').describe('Separator of path.'),
  path_timezone: p.string().optional().describe('Zone of the strftime placeholders in path.'),
  glob_policy: p.enum(['backward_compatible', 'extended', 'always']).default('backward_compatible').describe('Which characters make a path a glob.'),
  tag: p.string().describe('Tag of the events; * is replaced by the file path with / as . (required).'),
  exclude_path: p.array().default([]).describe('Globs of paths not to tail.'),
  pos_file: p.string().optional().describe('Where the read positions are kept (Fluentd format).'),
  pos_file_compaction_interval: p.time().optional().describe('Accepted: logferry rewrites the pos file compacted every time.'),
  refresh_interval: p.time().default(60).describe('Seconds between re-expansions of path.'),
  rotate_wait: p.time().default(5).describe('Seconds a rotated file is still read.'),
  read_from_head: p.bool().default(false).describe('Read files found at start from the head (else from the end).'),
  follow_inodes: p.bool().default(false).describe('Track files by inode (needs pos_file): a file renamed to a name path also matches resumes where it was, never read again; one pos line per inode. Not with open_on_every_update.'),
  path_key: p.string().optional().describe('Field that receives the file path.'),
  limit_recently_modified: p.time().optional().describe('Skip files not modified for this long.'),
  read_lines_limit: p.integer().default(1000).describe('Lines per emitted batch.'),
  read_bytes_limit_per_second: p.size().default(-1).describe('Bytes per second read from one file (-1: no limit; min 8k).'),
  max_line_size: p.size().optional().describe('Longer lines are skipped with a warning.'),
  multiline_flush_interval: p.time().optional().describe('Emit a pending multiline event after this long without new lines.'),
  skip_refresh_on_startup: p.bool().default(false).describe('Do not expand path at start (wait for refresh_interval).'),
  open_on_every_update: p.bool().default(false).describe('Reopen the file on each read (files replaced in place).'),
  emit_unmatched_lines: p.bool().default(false).describe('Emit lines that do not parse as {"unmatched_line": line}.'),
  encoding: p.string().optional().describe('Encoding of the records\' text: UTF-8 only (others are refused); needed with from_encoding.'),
  from_encoding: p.string().optional().describe('Encoding of the file bytes, converted to utf-8.'),
  enable_watch_timer: p.bool().default(true).describe('logferry always polls; false with read_bytes_limit_per_second, or with enable_stat_watcher false, is refused as in Fluentd.'),
  enable_stat_watcher: p.bool().default(true).describe('Accepted: logferry always polls.'),
  ignore_repeated_permission_error: p.bool().default(false).describe('Log an unreadable file once.'),
});

type Params = z.output<typeof params>;

interface Tailed {
  path: string;
  reader: FileReader | null;
  /** Offset of the first byte not yet accepted by the outputs. */
  committed: number;
  /**
   * Files rotated away, still read until rotate_wait passes. While any is here, the pos entry of the path is the
   * oldest one's (inode, offset), not the new file's: a crash then re-reads the new file from its head (duplicates,
   * bounded by rotate_wait) and finds the renamed file again by its inode, instead of skipping its unread end.
   */
  draining: Array<{ reader: FileReader; committed: number; until: number }>;
  busy: boolean;
  /** A wake-up came while a poll was running: poll again right after it. */
  again: boolean;
  retryAt: number;
  backoff: number;
  /** read_bytes_limit_per_second: bytes read in the one-second window that started at `start`. */
  readWindow: { start: number; bytes: number };
  lastData: number;
  /** Multiline: lines of the event not yet complete, and where it starts. */
  pendingLines: string[];
  /**
   * follow_inodes (where a Tailed is one inode, `path` where it was last seen, `draining` unused): null while path
   * matches the file; else when it is let go (rotate_wait after it was first found unmatched).
   */
  until: number | null;
}

/** Fluentd's in_tail on fs file handles: never loses or repeats a line across rotation, restart and full buffers. */
export default defineInput({
  type: 'tail',
  description: 'Follows files like tail -F, with Fluentd\'s pos_file, rotation handling and <parse>.',
  params,
  helpers: ['parse'],
  async create(ctx, params, conf) {
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    if (!parseConf) throw new ConfigError('<parse> section is required.', { location: conf.location, section: 'source' });
    if (params.follow_inodes && !params.pos_file) {
      throw new ConfigError("Can't follow inodes without pos_file configuration parameter", {
        location: conf.attrLocations.follow_inodes ?? conf.location, section: 'source', param: 'follow_inodes',
      });
    }
    if (params.follow_inodes && params.open_on_every_update) {
      // A handle reopened by path on each read is not the inode being followed once the file is renamed.
      throw new ConfigError('follow_inodes true cannot be used with open_on_every_update true: files are followed by their open handle', {
        location: conf.attrLocations.follow_inodes ?? conf.location, section: 'source', param: 'follow_inodes',
      });
    }
    const fail = (param: string, message: string) => new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: 'source', param });
    if (!params.enable_watch_timer && !params.enable_stat_watcher) throw fail('enable_watch_timer', 'either of enable_watch_timer or enable_stat_watcher must be true');
    if (params.read_bytes_limit_per_second > 0 && !params.enable_watch_timer) {
      throw fail('enable_watch_timer', 'Need to enable watch timer when using log throttling feature');
    }
    if (params.encoding !== undefined && !/^utf-?8$/i.test(params.encoding)) {
      throw fail('encoding', `encoding ${params.encoding} is not supported: logferry's records hold UTF-8 text (use from_encoding to convert from another encoding)`);
    }
    if (params.from_encoding !== undefined) {
      if (params.encoding === undefined) throw fail('from_encoding', "tail: 'from_encoding' parameter must be specified with 'encoding' parameter.");
      try {
        new TextDecoder(params.from_encoding);
      } catch {
        throw fail('from_encoding', `unknown encoding name - ${params.from_encoding}`);
      }
      if (/^utf-?8$/i.test(params.from_encoding)) ctx.log.warn({}, "'encoding' and 'from_encoding' are same encoding. No effect");
    }
    const parser = await ctx.createParser(parseConf);
    return new TailInput(ctx, params, parser);
  },
});

class TailInput {
  /** By path; with follow_inodes by inode (`String(ino)`), the pos file's key. */
  private readonly watched = new Map<string, Tailed>();
  /** follow_inodes: the files path matched at the last scan, with their inode (undefined: not there). */
  private paths = new Map<string, number | undefined>();
  private scanning: Promise<void> | null = null;
  private rescan = false;
  /** follow_inodes: when the last completed scan started. */
  private scannedAt = 0;
  private firstScan = true;
  private readonly pos: PositionFile | null;
  private readonly decoder: TextDecoder | null;
  private readonly maxLineSize: number;
  private timer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private posTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Set by the first line of a batch that needs the current time; see now(). */
  private batchNow: EventTime | null = null;
  private started = false;
  private readonly permissionWarned = new Set<string>();
  private readonly dirWatchers = new Map<string, FSWatcher>();
  private readonly readBytesLimit: number;

  constructor(private readonly ctx: InputContext, private readonly p: Params, private readonly parser: Parser) {
    this.pos = p.pos_file ? new PositionFile(p.pos_file, ctx.log, p.follow_inodes ? 'inode' : 'path') : null;
    if (!p.pos_file) ctx.log.warn({}, "'pos_file PATH' parameter is not set to a 'tail' source. this parameter is highly recommended to save the position to resume tailing.");
    this.decoder = p.from_encoding ? new TextDecoder(p.from_encoding) : null;
    this.maxLineSize = p.max_line_size ?? Infinity;
    this.readBytesLimit = p.read_bytes_limit_per_second > 0 ? Math.max(MIN_READ_BYTES_LIMIT, p.read_bytes_limit_per_second) : -1;
    if (p.read_bytes_limit_per_second > 0 && p.read_bytes_limit_per_second < MIN_READ_BYTES_LIMIT) {
      ctx.log.warn({}, `Should specify greater equal than ${MIN_READ_BYTES_LIMIT}. Use ${MIN_READ_BYTES_LIMIT} for read_bytes_limit_per_second`);
    }
  }

  async start(): Promise<void> {
    this.pos?.load();
    if (!this.p.skip_refresh_on_startup) await (this.p.follow_inodes ? this.scan() : this.refresh(true));
    this.started = true;
    this.timer = setInterval(() => this.pollAll(), POLL_MS);
    this.refreshTimer = setInterval(() => void (this.p.follow_inodes ? this.scan() : this.refresh(false)), this.p.refresh_interval * 1000);
    this.posTimer = setInterval(() => this.flushPositions(), 100);
    this.pollAll();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of [this.timer, this.refreshTimer, this.posTimer]) if (t) clearInterval(t);
    for (const watcher of this.dirWatchers.values()) watcher.close();
    await this.scanning;
    while ([...this.watched.values()].some((w) => w.busy)) await new Promise((r) => setTimeout(r, 10));
    this.flushPositions();
    for (const w of this.watched.values()) {
      await w.reader?.close();
      for (const d of w.draining) await d.reader.close();
    }
  }

  private flushPositions(): void {
    try {
      this.pos?.flush();
    } catch (err) {
      this.ctx.log.error({ pos_file: this.p.pos_file, error: (err as Error).message }, 'cannot write pos_file');
    }
  }

  /** The files path names now: strftime placeholders filled in, globs expanded, exclude_path left out. */
  private async expandPaths(): Promise<Set<string>> {
    const now = Math.floor(Date.now() / 1000);
    const zone = resolveZone(this.p.path_timezone ?? 'localtime');
    const paths = this.p.path.split(this.p.path_delimiter).map((s) => s.trim()).filter(Boolean).map((s) => compileStrftime(s, zone)(now, 0));
    const excluded = this.p.exclude_path.map((s) => compileStrftime(String(s), zone)(now, 0));
    const found = new Set<string>();
    const isGlob = (s: string) => (this.p.glob_policy === 'backward_compatible' ? /\*/ : this.p.glob_policy === 'extended' ? /[*?[\]]/ : /[*?[\]{}]/).test(s);
    for (const path of paths) {
      if (isGlob(path)) for (const f of await glob(path, { absolute: true, onlyFiles: true, ignore: excluded })) found.add(f);
      else found.add(path);
    }
    return found;
  }

  /** Expands path (strftime, globs), adding new files and dropping ones gone for good. */
  private async refresh(startup: boolean): Promise<void> {
    for (const file of await this.expandPaths()) {
      if (this.watched.has(file)) continue;
      if (this.p.limit_recently_modified !== undefined) {
        try {
          if (Date.now() - statSync(file).mtimeMs > this.p.limit_recently_modified * 1000) continue;
        } catch {
          // not there yet: picked up when it appears
        }
      }
      this.watched.set(file, {
        path: file, reader: null, committed: -1, draining: [], busy: false, again: false, retryAt: 0, backoff: 100, lastData: Date.now(), pendingLines: [], until: null, readWindow: { start: 0, bytes: 0 },
      });
      await this.initialOffset(file, startup && !this.started);
      this.watchDirectory(dirname(file));
    }
  }

  /**
   * follow_inodes: expands path and matches the files by inode. A file already tailed keeps its reader and offset,
   * whatever its name now (a rename is not a new file); a new inode starts at its pos entry, else as a new file does.
   * A tailed file path no longer matches is read on for rotate_wait, then let go and its pos entry removed. Runs at
   * start, every refresh_interval, and as soon as a poll sees a matched name hold another file (or none).
   */
  private scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.rescan = false;
          await this.scanOnce();
        } while (this.rescan && !this.stopped);
      } catch (err) {
        this.ctx.log.error({ path: this.p.path, error: (err as Error).message }, 'cannot expand path');
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const startedAt = Date.now();
    const paths = new Map<string, number | undefined>();
    const matched = new Set<string>();
    // At start, the paths the pos file names: a file found there without an entry came after the last run.
    const knownPaths = this.firstScan && this.pos ? new Set([...this.pos.entries.values()].map((e) => e.path)) : null;
    for (const file of await this.expandPaths()) {
      if (this.stopped) return;
      let st;
      try {
        st = statSync(file);
      } catch {
        paths.set(file, undefined); // not there yet: the next poll sees it appear
        continue;
      }
      paths.set(file, st.ino);
      const key = String(st.ino);
      if (matched.has(key)) continue; // a second name of the same file (hard link)
      let w = this.watched.get(key);
      if (!w) {
        if (this.p.limit_recently_modified !== undefined && Date.now() - st.mtimeMs > this.p.limit_recently_modified * 1000) continue;
        w = (await this.openInode(file, st.ino, knownPaths?.has(file) ?? false)) ?? undefined;
        if (!w) continue;
      } else if (w.path !== file) {
        this.ctx.log.info({ path: w.path, renamed_to: file, inode: st.ino }, 'the file was renamed and path still matches it; following it on');
        w.path = file;
        this.pos?.set(file, { pos: w.committed, ino: st.ino });
      }
      w.until = null;
      matched.add(key);
      this.watchDirectory(dirname(file));
    }
    for (const [key, w] of this.watched) {
      if (matched.has(key) || w.until !== null) continue;
      w.until = startedAt + this.p.rotate_wait * 1000;
      this.ctx.log.info({ path: w.path, inode: key }, `path no longer matches the file (rotated or deleted); reading it for ${this.p.rotate_wait} more seconds`);
    }
    if (this.firstScan && this.pos) {
      // As Fluentd: entries of files path no longer matches are dropped, so a reused inode number starts afresh.
      for (const key of [...this.pos.entries.keys()]) if (!this.watched.has(key)) this.pos.delete(key);
    }
    this.firstScan = false;
    this.paths = paths;
    this.scannedAt = startedAt;
  }

  /**
   * follow_inodes: starts tailing a newly matched inode from its pos entry; else from the head, but from the end if
   * found at start (unless read_from_head) at a name the pos file does not know (a file there while logferry was
   * down, e.g. the new file of a rotation, is read from its head).
   */
  private async openInode(file: string, ino: number, replacesKnown: boolean): Promise<Tailed | null> {
    let reader;
    try {
      reader = await FileReader.open(file, this.decoder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' && !(this.p.ignore_repeated_permission_error && this.permissionWarned.has(file))) {
        this.permissionWarned.add(file);
        this.ctx.log.warn({ path: file }, 'permission denied: cannot read the file');
      } else if (code !== 'ENOENT') this.ctx.log.warn({ path: file, error: (err as Error).message }, 'cannot open');
      return null;
    }
    if (reader.ino !== ino) {
      await reader.close(); // replaced in between: the next scan finds what is there now
      return null;
    }
    const size = await reader.size();
    const entry = this.pos?.entries.get(String(ino));
    let committed: number;
    if (entry) committed = size >= entry.pos ? entry.pos : 0; // shorter than the entry: truncated, read again
    else committed = !this.started && !this.p.read_from_head && !replacesKnown ? size : 0;
    const w: Tailed = {
      path: file, reader, committed, draining: [], busy: false, again: false, retryAt: 0, backoff: 100, lastData: Date.now(), pendingLines: [], until: null, readWindow: { start: 0, bytes: 0 },
    };
    this.watched.set(String(ino), w);
    this.pos?.set(file, { pos: committed, ino });
    return w;
  }

  /** follow_inodes: a matched name now holds another file (or none), or a let-go time passed: scan again. */
  private checkPaths(): void {
    if (this.scanning || this.stopped) return;
    const now = Date.now();
    let changed = [...this.watched.values()].some((w) => w.until !== null && now >= w.until && w.until > this.scannedAt);
    for (const [file, ino] of this.paths) {
      if (changed) break;
      let current: number | undefined;
      try {
        current = statSync(file).ino;
      } catch {
        current = undefined;
      }
      changed = current !== ino;
    }
    if (changed) void this.scan();
  }

  /** follow_inodes: reads one inode from its own handle; let go at its end once a scan after its let-go time missed it. */
  private async pollInode(w: Tailed): Promise<void> {
    const reader = w.reader;
    if (!reader) return; // let go (a poll queued before it was)
    if ((await reader.size()) < w.committed) {
      this.ctx.log.info({ path: w.path }, 'file was truncated; reading it again from the head');
      w.committed = 0;
      w.pendingLines = [];
    }
    const atEnd = await this.readFrom(reader, w, (next) => {
      w.committed = next;
      this.pos?.set(w.path, { pos: next, ino: reader.ino });
    }, () => w.committed);
    if (atEnd && w.until !== null && w.until <= this.scannedAt && !this.stopped) {
      const key = String(reader.ino);
      this.watched.delete(key);
      this.pos?.delete(key);
      w.reader = null;
      await reader.close();
      this.ctx.log.info({ path: w.path, inode: reader.ino }, 'stopped tailing the file: path no longer matches it');
    }
  }

  private watchDirectory(dir: string): void {
    if (this.dirWatchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const file = name ? join(dir, name.toString()) : undefined;
        const w = file === undefined ? undefined : this.watched.get(this.p.follow_inodes ? String(this.paths.get(file)) : file);
        if (w) this.pollOne(w);
      });
      watcher.on('error', () => this.dirWatchers.delete(dir));
      this.dirWatchers.set(dir, watcher);
    } catch {
      // no inotify here (or the directory is not there yet): the poll timer still finds everything
    }
  }

  /** Where a newly watched file starts: its pos entry, else the end (at start, unless read_from_head) or the head. */
  private async initialOffset(file: string, atStartup: boolean): Promise<void> {
    const w = this.watched.get(file)!;
    const entry = this.pos?.entries.get(file);
    let st;
    try {
      st = statSync(file);
    } catch {
      w.committed = 0; // appears later: read from the head
      if (entry) await this.resumeRenamed(w, entry);
      return;
    }
    if (entry) {
      if (entry.ino === st.ino && st.size >= entry.pos) w.committed = entry.pos;
      else w.committed = 0; // truncated, or rotated while we were down
      if (entry.ino !== st.ino) await this.resumeRenamed(w, entry);
    } else {
      w.committed = atStartup && !this.p.read_from_head ? st.size : 0;
    }
  }

  /**
   * The pos entry names a file that is no longer at its path (rotated while logferry was down, or killed while it
   * drained a rotated file): if a file with that inode is in the same directory, its unread end is drained first.
   */
  private async resumeRenamed(w: Tailed, entry: { pos: number; ino: number }): Promise<void> {
    const dir = dirname(w.path);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const candidate = join(dir, name);
      let st;
      try {
        st = statSync(candidate);
      } catch {
        continue;
      }
      if (st.ino !== entry.ino || !st.isFile() || candidate === w.path || st.size < entry.pos) continue;
      try {
        const reader = await FileReader.open(candidate, this.decoder);
        if (reader.ino !== entry.ino) {
          await reader.close();
          return;
        }
        // Rotated before this start, so rotate_wait has passed: it is let go once read to its end.
        w.draining.push({ reader, committed: entry.pos, until: 0 });
        this.ctx.log.info({ path: w.path, renamed_to: candidate, pos: entry.pos }, 'the file was rotated while not tailed; reading the rest of the rotated file');
      } catch {
        // gone in between: nothing left to read
      }
      return;
    }
  }

  private pollAll(): void {
    if (this.p.follow_inodes) this.checkPaths();
    for (const w of this.watched.values()) this.pollOne(w);
  }

  private pollOne(w: Tailed): void {
    if (this.stopped || Date.now() < w.retryAt) return;
    if (w.busy) {
      w.again = true;
      return;
    }
    w.busy = true;
    w.again = false;
    (this.p.follow_inodes ? this.pollInode(w) : this.poll(w)).catch((err: Error) => this.ctx.log.error({ path: w.path, error: err.message }, 'tail failed')).finally(() => {
      w.busy = false;
      if (w.again) this.pollOne(w);
    });
  }

  private async poll(w: Tailed): Promise<void> {
    await this.drainRotated(w);
    let st;
    try {
      st = statSync(w.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' && !(this.p.ignore_repeated_permission_error && this.permissionWarned.has(w.path))) {
        this.permissionWarned.add(w.path);
        this.ctx.log.warn({ path: w.path }, 'permission denied: cannot read the file');
      }
      if (w.reader) this.retire(w); // moved or deleted: read what is left, then let go
      return;
    }
    if (w.reader && w.reader.ino !== st.ino) {
      this.ctx.log.info({ path: w.path, inode: st.ino }, 'detected rotation; following the new file from its head');
      this.retire(w);
    }
    if (!w.reader) {
      try {
        w.reader = await FileReader.open(w.path, this.decoder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.ctx.log.warn({ path: w.path, error: (err as Error).message }, 'cannot open');
        return;
      }
      if (w.committed < 0) w.committed = 0;
    }
    if (st.size < w.committed) {
      this.ctx.log.info({ path: w.path }, 'file was truncated; reading it again from the head');
      w.committed = 0;
      w.pendingLines = [];
    }
    await this.readFrom(w.reader, w, (next) => {
      w.committed = next;
      if (w.draining.length === 0) this.pos?.set(w.path, { pos: next, ino: w.reader!.ino });
    }, () => w.committed);
    if (this.p.open_on_every_update && w.reader) {
      await w.reader.close();
      w.reader = null;
    }
  }

  /** A rotated-away file keeps being read for rotate_wait, from the same handle (so no line of it is lost). */
  private retire(w: Tailed): void {
    if (!w.reader) return;
    w.draining.push({ reader: w.reader, committed: w.committed, until: Date.now() + this.p.rotate_wait * 1000 });
    w.reader = null;
    w.committed = 0;
    w.pendingLines = [];
  }

  private async drainRotated(w: Tailed): Promise<void> {
    for (const d of [...w.draining]) {
      const atEnd = await this.readFrom(d.reader, w, (next) => {
        d.committed = next;
        if (w.draining[0] === d) this.pos?.set(w.path, { pos: next, ino: d.reader.ino });
      }, () => d.committed);
      // Let go only at its end: a refused emit must not cut off the rest of a rotated file.
      if (atEnd && Date.now() >= d.until) {
        await d.reader.close();
        w.draining.splice(w.draining.indexOf(d), 1);
        const next = w.draining[0];
        if (next) this.pos?.set(w.path, { pos: next.committed, ino: next.reader.ino });
        else if (w.reader) this.pos?.set(w.path, { pos: w.committed, ino: w.reader.ino });
      }
    }
  }

  /**
   * Reads, parses and emits complete lines in batches; a batch's offset is committed only once it was accepted.
   * True when it stopped at the end of what the file holds now; false when an emit was refused or tailing stops.
   */
  private async readFrom(reader: FileReader, w: Tailed, commit: (next: number) => void, committed: () => number): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const budget = this.readBudget(w);
      if (budget <= 0) {
        w.retryAt = w.readWindow.start + 1000; // read_bytes_limit_per_second: this file waits for the next second
        return false;
      }
      const { lines, next } = await reader.readLines(committed(), this.p.read_lines_limit, this.maxLineSize, (bytes) => {
        this.ctx.log.warn({ path: w.path, bytes }, 'received line length is longer than max_line_size; skipped');
      }, budget);
      if (lines.length === 0) {
        if (next > committed()) commit(next); // only skipped over-long lines
        await this.flushStaleMultiline(w, commit, next);
        return true;
      }
      w.lastData = Date.now();
      const before = committed();
      const { batch, keepFrom } = this.toEvents(lines, w, before);
      if (batch.length > 0) {
        try {
          await this.ctx.emit(this.tagFor(w.path), batch);
          w.backoff = 100;
        } catch (err) {
          // Buffer full (or any failure downstream): keep the position and these lines, pause this file, retry.
          w.retryAt = Date.now() + w.backoff;
          this.ctx.log.warn({ path: w.path, error: (err as Error).message, retry_ms: w.backoff }, 'emit refused; tailing of this file pauses and retries');
          w.backoff = Math.min(1000, w.backoff * 2);
          w.pendingLines = [];
          return false;
        }
      }
      commit(keepFrom ?? next);
      w.readWindow.bytes += next - before;
      if (keepFrom !== undefined) return true; // a multiline event is still open: read again when more lines arrive
      if (lines.length < this.p.read_lines_limit && next - before < budget) return true;
    }
  }

  /**
   * read_bytes_limit_per_second, as Fluentd: the bytes a file may still give in the current one-second window
   * (a read may end up to one line past it).
   */
  private readBudget(w: Tailed): number {
    if (this.readBytesLimit <= 0) return Infinity;
    const now = Date.now();
    if (now - w.readWindow.start >= 1000) w.readWindow = { start: now, bytes: 0 };
    return this.readBytesLimit - w.readWindow.bytes;
  }

  /** Parses lines into a batch. Unparsable lines go to the error route (or as unmatched_line events) with their text. */
  private toEvents(lines: Line[], w: Tailed, start: number): { batch: EventBatch; keepFrom?: number } {
    const batch = new EventBatch();
    this.batchNow = null;
    if (!this.parser.multiline) {
      for (const line of lines) this.parseOne(line.text, batch, w);
      return { batch };
    }
    // Multiline: an event ends where the next firstline begins; the open event is re-read next time.
    let eventStart = start;
    let pending: string[] = [];
    for (const line of lines) {
      if (this.parser.firstline) {
        if (this.parser.firstline(line.text)) {
          if (pending.length > 0) this.parseOne(pending.join('\n'), batch, w);
          pending = [line.text];
          eventStart = line.end - Buffer.byteLength(line.text) - 1;
        } else if (pending.length > 0) {
          pending.push(line.text);
        } else {
          this.ctx.log.warn({ path: w.path, line: line.text }, 'got incomplete line before first line from multiline parser');
          eventStart = line.end;
        }
      } else {
        pending.push(line.text);
        const probe = new EventBatch();
        if (this.tryParse(pending.join('\n'), probe)) {
          for (let i = 0; i < probe.length; i++) batch.add(probe.secs[i]!, probe.nsecs[i]!, probe.records[i]!);
          pending = [];
          eventStart = line.end;
        }
      }
    }
    w.pendingLines = pending;
    return pending.length > 0 ? { batch, keepFrom: eventStart } : { batch };
  }

  /** multiline_flush_interval: an open multiline event with no new lines for that long is emitted as it is. */
  private async flushStaleMultiline(w: Tailed, commit: (next: number) => void, end: number): Promise<void> {
    if (!this.parser.multiline || w.pendingLines.length === 0 || this.p.multiline_flush_interval === undefined) return;
    if (Date.now() - w.lastData < this.p.multiline_flush_interval * 1000) return;
    const batch = new EventBatch();
    this.batchNow = null;
    this.parseOne(w.pendingLines.join('\n'), batch, w);
    try {
      await this.ctx.emit(this.tagFor(w.path), batch);
      w.pendingLines = [];
      commit(end);
    } catch {
      // retried at the next poll
    }
  }

  private tryParse(text: string, batch: EventBatch): boolean {
    try {
      return this.parser.parse(text, batch);
    } catch {
      return false;
    }
  }

  private parseOne(text: string, batch: EventBatch, w: Tailed): void {
    const before = batch.length;
    let error: Error | null = null;
    let matched = false;
    try {
      matched = this.parser.parse(text, batch);
    } catch (err) {
      error = err instanceof ParserError ? err : new ParserError((err as Error).message);
    }
    if (matched && !error) {
      for (let i = before; i < batch.length; i++) {
        if (Number.isNaN(batch.secs[i])) {
          const now = this.now();
          batch.secs[i] = now.sec;
          batch.nsecs[i] = now.nsec;
        }
        if (this.p.path_key && !(this.p.path_key in batch.records[i]!)) (batch.records[i] as EventRecord)[this.p.path_key] = w.path;
      }
      return;
    }
    batch.secs.length = batch.nsecs.length = batch.records.length = before;
    const now = this.now();
    if (this.p.emit_unmatched_lines) {
      const record: EventRecord = { unmatched_line: text };
      if (this.p.path_key) record[this.p.path_key] = w.path;
      batch.add(now.sec, now.nsec, record);
      return;
    }
    // Fluentd only logs "pattern not matched"; logferry routes the raw line to @ERROR so it is never lost.
    this.ctx.emitError(this.tagFor(w.path), now.sec, now.nsec, { message: text, path: w.path }, error ?? new ParserError(`pattern not matched: ${JSON.stringify(text.slice(0, 200))}`));
  }

  /** The time of events whose line has none: one clock read per batch, which is read in microseconds. */
  private now(): EventTime {
    return (this.batchNow ??= nowEventTime());
  }

  private tagFor(file: string): string {
    return expandTag(this.p.tag, file);
  }
}
