import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { expandPaths } from './expand-paths.ts';
import { FileReader } from './file-reader.ts';
import { newTailed, type Tailed } from './tailed.ts';
import { Watchers } from './watchers.ts';

/** follow_inodes: one watcher per inode path matches, read from its own handle whatever its name. */
export class InodeWatchers extends Watchers {
  /** follow_inodes: the files path matched at the last scan, with their inode (undefined: not there). */
  private paths = new Map<string, number | undefined>();
  private scanning: Promise<void> | null = null;
  private rescan = false;
  /** follow_inodes: when the last completed scan started. */
  private scannedAt = 0;
  private firstScan = true;

  refresh(): Promise<void> {
    return this.scan();
  }

  override pollAll(): void {
    this.checkPaths();
    super.pollAll();
  }

  protected override running(): Promise<void> | null {
    return this.scanning;
  }

  protected keyOf(file: string): string {
    return String(this.paths.get(file));
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
    for (const file of await expandPaths(this.p)) {
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
      this.cannotRead(file, err as NodeJS.ErrnoException);
      return null;
    }
    this.readable(file);
    if (reader.ino !== ino) {
      await reader.close(); // replaced in between: the next scan finds what is there now
      return null;
    }
    const size = await reader.size();
    const entry = this.pos?.entries.get(String(ino));
    let committed: number;
    if (entry) committed = size >= entry.pos ? entry.pos : 0; // shorter than the entry: truncated, read again
    else committed = !this.started && !this.p.read_from_head && !replacesKnown ? size : 0;
    const w = newTailed(file, reader, committed);
    this.watched.set(String(ino), w);
    this.pos?.set(file, { pos: committed, ino });
    this.ctx.log.info({}, `following tail of ${file}`);
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
  protected async poll(w: Tailed): Promise<void> {
    const reader = w.reader;
    if (!reader) return; // let go (a poll queued before it was)
    if ((await reader.size()) < w.committed) {
      this.ctx.log.info({ path: w.path }, 'file was truncated; reading it again from the head');
      w.committed = 0;
      w.pendingLines = [];
    }
    const atEnd = await this.lines.readFrom(reader, w, (next) => {
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
}
