import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expandPaths } from './expand-paths.ts';
import { FileReader } from './file-reader.ts';
import { newTailed, type Tailed } from './tailed.ts';
import { Watchers } from './watchers.ts';

/** What follows a path's name in the name of one of its rotations: `.1`, `-20261208`, `.2026-12-08`, `_1`. */
const ROTATED_SUFFIX = /^[._-]\d/;

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
      this.watched.set(file, newTailed(file, null, -1));
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
  private async resumeRotated(w: Tailed, entry: { pos: number; ino: number }, quiet = false): Promise<Stats | null> {
    const found = this.siblings(w.path).find(({ st }) => st.ino === entry.ino && st.size >= entry.pos);
    if (found && (await this.drain(w, found.file, entry.ino, entry.pos))) {
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
    const name = basename(w.path);
    const tracked = new Set([current, newestKnown.ino, ...w.draining.map((d) => d.reader.ino)]);
    const unseen = this.siblings(w.path)
      .filter(({ file, st }) => ROTATED_SUFFIX.test(basename(file).slice(name.length)) && basename(file).startsWith(name)
        && !tracked.has(st.ino) && st.mtimeMs > newestKnown.mtimeMs)
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs);
    for (const { file, st } of unseen) {
      if (await this.drain(w, file, st.ino, 0)) {
        this.ctx.log.info({ path: w.path, renamed_to: file }, 'a file was rotated before it was tailed; reading it from its head');
      }
    }
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
  private async drain(w: Tailed, file: string, ino: number, pos: number): Promise<boolean> {
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
    w.draining.push({ reader, committed: pos, until: Date.now() + this.p.rotate_wait * 1000 });
    this.pos?.setRotated(w.path, { pos, ino });
    return true;
  }

  protected async poll(w: Tailed): Promise<void> {
    const st = await this.follow(w);
    await this.drainRotated(w);
    if (!w.reader || !st) return;
    if (st.size < w.committed) {
      this.ctx.log.info({ path: w.path }, 'file was truncated; reading it again from the head');
      w.committed = 0;
      w.pendingLines = [];
    }
    const reader = w.reader;
    await this.lines.readFrom(reader, w, (next) => {
      w.committed = next;
      this.pos?.set(w.path, { pos: next, ino: reader.ino });
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
      this.warnedPermissionDenied(w.path, (err as NodeJS.ErrnoException).code);
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
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.ctx.log.warn({ path: w.path, error: (err as Error).message }, 'cannot open');
      return null;
    }
    if (w.ino !== null && reader.ino !== w.ino) {
      // The file the offset is in was rotated away before this open: during start-up, or while logferry was down
      // (with open_on_every_update, also between two reads; a file replaced in place is simply gone).
      const rotated = await this.resumeRotated(w, { pos: w.committed, ino: w.ino }, this.p.open_on_every_update);
      if (rotated) await this.resumeUnseen(w, rotated, reader.ino);
      w.committed = 0;
      w.pendingLines = [];
    }
    w.reader = reader;
    w.ino = reader.ino;
    if (w.committed < 0) w.committed = 0;
    this.pos?.set(w.path, { pos: w.committed, ino: reader.ino });
    this.pos?.flush();
    return st;
  }

  /** A rotated-away file keeps being read for rotate_wait, from the same handle (so no line of it is lost). */
  private retire(w: Tailed): void {
    if (!w.reader) return;
    w.draining.push({ reader: w.reader, committed: w.committed, until: Date.now() + this.p.rotate_wait * 1000 });
    this.pos?.delete(w.path);
    this.pos?.setRotated(w.path, { pos: w.committed, ino: w.reader.ino });
    w.reader = null;
    w.committed = 0;
    w.ino = null;
    w.pendingLines = [];
  }

  private async drainRotated(w: Tailed): Promise<void> {
    for (const d of [...w.draining]) {
      const atEnd = await this.lines.readFrom(d.reader, w, (next) => {
        d.committed = next;
        this.pos?.setRotated(w.path, { pos: next, ino: d.reader.ino });
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
