import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expandPaths } from './expand-paths.ts';
import { FileReader } from './file-reader.ts';
import { newTailed, type Tailed } from './tailed.ts';
import { Watchers } from './watchers.ts';

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

  protected async poll(w: Tailed): Promise<void> {
    await this.drainRotated(w);
    let st;
    try {
      st = statSync(w.path);
    } catch (err) {
      this.warnedPermissionDenied(w.path, (err as NodeJS.ErrnoException).code);
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
    await this.lines.readFrom(w.reader, w, (next) => {
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
      const atEnd = await this.lines.readFrom(d.reader, w, (next) => {
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

  protected keyOf(file: string): string {
    return file;
  }
}
