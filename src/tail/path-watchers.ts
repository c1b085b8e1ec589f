import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expandPaths } from './expand-paths.ts';
import { FileReader } from './file-reader.ts';
import type { PositionEntry } from './position-file.ts';
import { newTailed, type Tailed } from './tailed.ts';
import { Watchers } from './watchers.ts';

/** What follows a path's name in the name of one of its rotations: `.1`, `-20261208`, `.2026-12-08`, `_1`. */
const ROTATED_SUFFIX = /^[._-]\d/;
/** Rotations logrotate has compressed: not text to tail. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzo|zip|Z)$/;

/**
 * Tailing by path (the default): one watcher per file path names, following whatever file is at that path; a file
 * rotated away is read on from its handle for rotate_wait.
 */
export class PathWatchers extends Watchers {
  /** Expands path (strftime, globs), adding new files and dropping ones gone for good. */
  async refresh(startup: boolean): Promise<void> {
    for (const file of await expandPaths(this.p)) {
      if (this.watched.has(file)) continue;
      if (this.p.limit_recently_modified !== undefined) {
        try {
          if (Date.now() - statSync(file).mtimeMs > this.p.limit_recently_modified * 1000) continue;
        } catch {
          // not there yet: picked up when it appears
        }
      }
      this.watched.set(file, newTailed(file, null, 0));
      await this.initialOffset(file, startup && !this.started);
      this.watchDirectory(dirname(file));
    }
  }

  /**
   * Where a newly watched file starts: its pos entry (checked against the inode of the file the first poll opens),
   * else the end (at start, unless read_from_head) or the head. Rotated files the pos file still has unread bytes of
   * are found by their inodes and read first.
   */
  private async initialOffset(file: string, atStartup: boolean): Promise<void> {
    const w = this.watched.get(file)!;
    const entry = this.pos?.entries.get(file);
    const rotated = this.pos?.rotatedOf(file) ?? [];
    for (const r of rotated) await this.resumeRotated(w, r);
    let st;
    try {
      st = statSync(file);
    } catch {
      st = null; // appears later
    }
    if (entry && !(st && st.ino === entry.ino && st.size < entry.pos)) {
      w.committed = entry.pos;
      w.lastLine = entry.lastLine;
      w.ino = entry.ino;
    } else if (st && !entry && rotated.length === 0 && atStartup && !this.p.read_from_head) {
      w.committed = st.size;
      w.ino = st.ino;
    } else {
      w.committed = 0; // truncated, new, or the file after a rotation the pos file knows of
      w.ino = null;
    }
  }

  /**
   * A file rotated away from the path with unread bytes from `entry.pos` (rotated while logferry was down, during
   * start-up, or while it was drained before a kill): found by its inode in the path's directory and read on from
   * there. Returns its stat, or null if it is gone.
   */
  private async resumeRotated(w: Tailed, entry: PositionEntry, quiet = false): Promise<Stats | null> {
    const found = this.siblings(w.path).find(({ st }) => st.ino === entry.ino && st.size >= entry.pos);
    if (found && (await this.drain(w, found.file, entry.ino, entry.pos, entry.lastLine))) {
      this.ctx.log.info({ path: w.path, renamed_to: found.file, pos: entry.pos }, 'the file was rotated while not tailed; reading the rest of the rotated file');
      return found.st;
    }
    this.pos?.deleteRotated(w.path, entry.ino);
    if (!quiet) this.ctx.log.warn({ path: w.path, inode: entry.ino, pos: entry.pos }, 'a rotated file with unread lines is gone from the directory (moved elsewhere or deleted); its unread lines cannot be read');
    return null;
  }

  /**
   * Generations rotated before logferry ever opened them (several rotations while it was down, or between two
   * polls): files in the path's directory named as a rotation of it (`access.log.1`, `access.log-20261208`) that
   * were modified after the newest file logferry knew, and that it does not tail. They are read from their heads,
   * oldest first.
   */
  private async resumeUnseen(w: Tailed, newestKnown: Stats, current: number | null): Promise<void> {
    const tracked = new Set([current, newestKnown.ino, ...w.draining.map((d) => d.reader.ino)]);
    const unseen = this.rotationsOf(w.path)
      .filter(({ st }) => !tracked.has(st.ino) && st.mtimeMs > newestKnown.mtimeMs)
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { file, st } of unseen) {
      if (await this.drain(w, file, st.ino, 0)) {
        this.ctx.log.info({ path: w.path, renamed_to: file }, 'a file was rotated before it was tailed; reading it from its head');
      }
    }
  }

  /**
   * copytruncate, of the file at the path or of one rotated away since: the file is shorter than the accepted offset,
   * or longer but without the accepted line before it (written again since). Then the copy's rest is read (if the
   * copy is found) and the file from its head: `at` is reset to 0.
   */
  private async truncated(w: Tailed, reader: FileReader, size: number, at: { committed: number; lastLine: string | undefined }): Promise<boolean> {
    if (size >= at.committed && (size === at.committed || (await this.stillEndsWith(reader, at.committed, at.lastLine)))) return false;
    const copy = await this.resumeCopy(w, at.committed, at.lastLine);
    this.ctx.log.info({ path: w.path, ...(reader !== w.reader ? { inode: reader.ino } : {}), ...(copy ? { copy } : {}) }, copy
      ? 'file was truncated after it was copied (copytruncate); reading the rest of the copy, then the file from its head'
      : 'file was truncated; reading it again from the head');
    at.committed = 0;
    at.lastLine = undefined;
    return true;
  }

  /**
   * Whether the bytes before `offset` are still `lastLine` and its newline (`\n` or `\r\n`); true when there is
   * nothing to compare (no known line, or bytes decoded from another encoding).
   */
  private async stillEndsWith(reader: FileReader, offset: number, lastLine: string | undefined): Promise<boolean> {
    if (lastLine === undefined || this.decoder) return true;
    const expected = Buffer.from(`${lastLine}\n`);
    if (offset < expected.length) return true;
    const start = Math.max(0, offset - expected.length - 1);
    const found = Buffer.allocUnsafe(offset - start);
    const { bytesRead } = await reader.handle.read(found, 0, found.length, start);
    if (bytesRead !== found.length) return false;
    if (found.subarray(found.length - expected.length).equals(expected)) return true;
    return found.length > expected.length && found[found.length - 2] === 13
      && found.subarray(0, found.length - 2).equals(expected.subarray(0, expected.length - 1));
  }

  /**
   * copytruncate: the copy is a file named as a rotation of the path, not tailed, that holds the same line at the
   * same offset; the lines after it were copied before the truncation and are read from the copy.
   */
  private async resumeCopy(w: Tailed, offset: number, lastLine: string | undefined): Promise<string | null> {
    if (lastLine === undefined || offset === 0) return null;
    const tracked = new Set(w.draining.map((d) => d.reader.ino));
    for (const { file, st } of this.rotationsOf(w.path)) {
      if (tracked.has(st.ino) || st.size < offset) continue;
      let reader;
      try {
        reader = await FileReader.open(file, this.decoder);
      } catch {
        continue;
      }
      const same = await this.stillEndsWith(reader, offset, lastLine);
      await reader.close();
      if (same && (await this.drain(w, file, st.ino, offset))) return file;
    }
    return null;
  }

  /**
   * copytruncate before logferry read any of the file (it was opened empty, then written, copied and truncated
   * between two polls): no offset or line tells the copy, but it is the rotation of the path modified since the file
   * was opened that nobody tails. Looked for once, at the first poll that finds the file with data.
   */
  private async resumeEarlyCopy(w: Tailed, openedAt: number): Promise<void> {
    w.unreadSince = null;
    const tracked = new Set([w.ino, ...w.draining.map((d) => d.reader.ino)]);
    // The file system's clock is coarser than Date.now(): a copy made just after the open may carry an mtime a few
    // milliseconds before it.
    const copies = this.rotationsOf(w.path).filter(({ st }) => !tracked.has(st.ino) && st.mtimeMs >= openedAt - 20).sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { file, st } of copies) {
      if (await this.drain(w, file, st.ino, 0)) {
        this.ctx.log.info({ path: w.path, copy: file }, 'the file was copied and truncated before it was read (copytruncate); reading the copy from its head');
      }
    }
    if (copies.length > 0) this.pos?.flush();
  }

  /** The files in the directory of `file` named as a rotation of it. */
  private rotationsOf(file: string): Array<{ file: string; st: Stats }> {
    const name = basename(file);
    return this.siblings(file).filter((s) => {
      const other = basename(s.file);
      return other.startsWith(name) && ROTATED_SUFFIX.test(other.slice(name.length)) && !COMPRESSED.test(other);
    });
  }

  /** The regular files in the directory of `file`, with their stats. */
  private siblings(file: string): Array<{ file: string; st: Stats }> {
    const dir = dirname(file);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const found: Array<{ file: string; st: Stats }> = [];
    for (const name of names) {
      const candidate = join(dir, name);
      if (candidate === file) continue;
      try {
        const st = statSync(candidate);
        if (st.isFile()) found.push({ file: candidate, st });
      } catch {
        // gone in between
      }
    }
    return found;
  }

  /** Reads a rotated file from `pos` until its end and rotate_wait from now, with a pos entry of its own. */
  private async drain(w: Tailed, file: string, ino: number, pos: number, lastLine?: string): Promise<boolean> {
    let reader;
    try {
      reader = await FileReader.open(file, this.decoder);
    } catch {
      return false; // gone in between: nothing left to read
    }
    if (reader.ino !== ino) {
      await reader.close();
      return false;
    }
    w.draining.push({ reader, committed: pos, lastLine, until: Date.now() + this.p.rotate_wait * 1000 });
    this.pos?.setRotated(w.path, { pos, ino, lastLine });
    return true;
  }

  protected async poll(w: Tailed): Promise<void> {
    const st = await this.follow(w);
    await this.drainRotated(w);
    if (!w.reader || !st) return;
    const reader = w.reader;
    if (w.unreadSince !== null && st.size > 0) await this.resumeEarlyCopy(w, w.unreadSince);
    if (await this.truncated(w, reader, st.size, w)) {
      w.pendingLines = [];
      this.pos?.set(w.path, { pos: 0, ino: reader.ino });
      this.pos?.flush();
      await this.drainRotated(w);
    }
    await this.lines.readFrom(reader, w, (next, lastLine) => {
      w.committed = next;
      w.lastLine = lastLine;
      this.pos?.set(w.path, { pos: next, ino: reader.ino, lastLine });
    }, () => w.committed);
    if (this.p.open_on_every_update && w.reader) {
      await w.reader.close();
      w.reader = null;
    }
  }

  /**
   * Keeps the reader on the file at the path: a file rotated away is drained, a new one opened. Before any line of a
   * newly opened file is accepted, the pos file has an entry for it and for every rotated file with unread bytes.
   */
  private async follow(w: Tailed): Promise<Stats | null> {
    let st;
    try {
      st = statSync(w.path);
    } catch (err) {
      this.cannotRead(w.path, err as NodeJS.ErrnoException);
      if (w.reader) this.retire(w); // moved or deleted: read what is left, then let go
      return null;
    }
    if (w.reader && w.reader.ino !== st.ino) {
      this.ctx.log.info({ path: w.path, inode: st.ino }, 'detected rotation; following the new file from its head');
      const rotated = await w.reader.handle.stat().catch(() => null);
      this.retire(w);
      if (rotated) await this.resumeUnseen(w, rotated, st.ino);
    }
    if (w.reader) return st;
    let reader;
    try {
      reader = await FileReader.open(w.path, this.decoder);
    } catch (err) {
      this.cannotRead(w.path, err as NodeJS.ErrnoException);
      return null;
    }
    this.readable(w.path);
    // open_on_every_update opens the same file again at every read: that is no news.
    if (!this.p.open_on_every_update || reader.ino !== w.ino) this.ctx.log.info({}, `following tail of ${w.path}`);
    if (w.ino !== null && reader.ino !== w.ino) {
      // The file the offset is in was rotated away before this open: during start-up, or while logferry was down
      // (with open_on_every_update, also between two reads; a file replaced in place is simply gone).
      const rotated = await this.resumeRotated(w, { pos: w.committed, ino: w.ino, lastLine: w.lastLine }, this.p.open_on_every_update);
      if (rotated) await this.resumeUnseen(w, rotated, reader.ino);
      w.committed = 0;
      w.lastLine = undefined;
      w.pendingLines = [];
    }
    w.reader = reader;
    w.unreadSince = w.committed === 0 ? Date.now() : null;
    w.ino = reader.ino;
    this.pos?.set(w.path, { pos: w.committed, ino: reader.ino });
    this.pos?.flush();
    return st;
  }

  /** A rotated-away file keeps being read for rotate_wait, from the same handle (so no line of it is lost). */
  private retire(w: Tailed): void {
    if (!w.reader) return;
    w.draining.push({ reader: w.reader, committed: w.committed, lastLine: w.lastLine, until: Date.now() + this.p.rotate_wait * 1000 });
    this.pos?.delete(w.path);
    this.pos?.setRotated(w.path, { pos: w.committed, ino: w.reader.ino, lastLine: w.lastLine });
    w.reader = null;
    w.committed = 0;
    w.lastLine = undefined;
    w.ino = null;
    w.pendingLines = [];
  }

  private async drainRotated(w: Tailed): Promise<void> {
    for (const d of [...w.draining]) {
      if (await this.truncated(w, d.reader, await d.reader.size(), d)) this.pos?.setRotated(w.path, { pos: 0, ino: d.reader.ino });
      const atEnd = await this.lines.readFrom(d.reader, w, (next, lastLine) => {
        d.committed = next;
        d.lastLine = lastLine;
        this.pos?.setRotated(w.path, { pos: next, ino: d.reader.ino, lastLine });
      }, () => d.committed);
      // Let go only at its end: a refused emit must not cut off the rest of a rotated file.
      if (atEnd && Date.now() >= d.until) {
        await d.reader.close();
        w.draining.splice(w.draining.indexOf(d), 1);
        this.pos?.deleteRotated(w.path, d.reader.ino);
      }
    }
  }

  protected keyOf(file: string): string {
    return file;
  }
}
