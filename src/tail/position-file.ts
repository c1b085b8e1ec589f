import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../plugin-api/index.ts';

export interface PositionEntry {
  pos: number;
  ino: number;
  /** The line that ends at `pos`, when known: kept beside the pos file, to tell a copytruncate after a restart. */
  lastLine?: string | undefined;
}

/** What a pos entry belongs to: a path (Fluentd's default), or an inode (follow_inodes: one line per file). */
export type PositionKey = 'path' | 'inode';

const LINE = /^([^\t]+)\t([0-9a-fA-F]+)\t([0-9a-fA-F]+)/;
const UNWATCHED = 0xffffffffffffffff;

/**
 * Fluentd's pos_file (`path\t%016x pos\t%016x inode\n`), so a td-agent pos file resumes where td-agent stopped.
 * logferry rewrites the whole file to `<pos_file>.tmp` and renames it over the old one (after fsync), so a crash at
 * any moment leaves either the old or the new file whole; unreadable lines are reported and skipped.
 * Entries are keyed by path, or with `keyBy: 'inode'` by inode (`String(ino)`), each line keeping the path its file
 * was last seen at; `key()` gives the key of a (path, inode).
 *
 * By path, a file rotated away that still has unread bytes keeps a line of its own: the path, its offset and its
 * inode, written before the path's current line. A kill at any moment then leaves a position for every file with
 * unread bytes, and the next start finds each rotated one by its inode. Fluentd reads such a file too: for a path
 * named twice it warns and takes the last line, which is the current file's, the entry it would have written itself.
 */
export class PositionFile {
  readonly entries = new Map<string, PositionEntry & { path: string }>();
  private dirty = false;

  constructor(readonly file: string, private readonly log: Logger, readonly keyBy: PositionKey = 'path') {}

  key(filePath: string, ino: number): string {
    return this.keyBy === 'inode' ? String(ino) : filePath;
  }

  /** By path: the key of a rotated file of `filePath` (a tab never occurs in a pos file's path). */
  private rotatedKey(filePath: string, ino: number): string {
    return `${filePath}\t${ino}`;
  }

  load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ pos_file: this.file, error: (err as Error).message }, 'cannot read pos_file; starting without it');
      return;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const m = LINE.exec(line);
      if (!m) {
        bad++;
        continue;
      }
      const pos = parseInt(m[2]!, 16);
      if (pos === UNWATCHED || m[2]!.toLowerCase() === 'ffffffffffffffff') continue;
      const ino = parseInt(m[3]!, 16);
      const key = this.key(m[1]!, ino);
      const earlier = this.entries.get(key);
      // By path, the last line of a path is its current file; the ones before it are rotated files still unread.
      if (earlier && this.keyBy === 'path' && earlier.ino !== ino) this.entries.set(this.rotatedKey(earlier.path, earlier.ino), earlier);
      this.entries.delete(this.rotatedKey(m[1]!, ino));
      this.entries.set(key, { path: m[1]!, pos, ino });
    }
    if (bad > 0) this.log.warn({ pos_file: this.file, lines: bad }, 'pos_file has unreadable lines; they were skipped (their files start per read_from_head)');
    this.readLastLines();
  }

  /**
   * `<pos_file>.lines`: each entry's last line, which Fluentd's format has no room for. Written after the pos file
   * (a kill between the two leaves lines for older offsets, which are then not used) and without fsync: it only
   * needs to outlive the process, and a missing or unreadable one just means no line is known.
   */
  private writeLastLines(): void {
    const known = [...this.entries.values()].filter((e) => e.lastLine !== undefined).map((e) => [e.path, e.ino, e.pos, e.lastLine]);
    const tmp = `${this.file}.lines.tmp`;
    writeFileSync(tmp, JSON.stringify(known));
    renameSync(tmp, `${this.file}.lines`);
  }

  private readLastLines(): void {
    let known: unknown;
    try {
      known = JSON.parse(readFileSync(`${this.file}.lines`, 'utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(known)) return;
    for (const item of known) {
      if (!Array.isArray(item) || item.length !== 4 || typeof item[3] !== 'string') continue;
      const [filePath, ino, pos, lastLine] = item as [string, number, number, string];
      for (const e of this.entries.values()) if (e.path === filePath && e.ino === ino && e.pos === pos) e.lastLine = lastLine;
    }
  }

  /** Sets the entry of `filePath` (by path) or of `entry.ino` (by inode, now seen at `filePath`). */
  set(filePath: string, entry: PositionEntry): void {
    const key = this.key(filePath, entry.ino);
    const old = this.entries.get(key);
    if (old && old.pos === entry.pos && old.ino === entry.ino && old.path === filePath) return;
    this.entries.set(key, { path: filePath, pos: entry.pos, ino: entry.ino, lastLine: entry.lastLine });
    this.dirty = true;
  }

  delete(key: string): void {
    if (this.entries.delete(key)) this.dirty = true;
  }

  /** By path: sets the entry of a file rotated away from `filePath` that is still being read. */
  setRotated(filePath: string, entry: PositionEntry): void {
    const key = this.rotatedKey(filePath, entry.ino);
    const old = this.entries.get(key);
    if (old && old.pos === entry.pos) return;
    this.entries.set(key, { path: filePath, pos: entry.pos, ino: entry.ino, lastLine: entry.lastLine });
    this.dirty = true;
  }

  /** By path: a rotated file of `filePath` was read to its end and let go. */
  deleteRotated(filePath: string, ino: number): void {
    this.delete(this.rotatedKey(filePath, ino));
  }

  /** By path: the rotated files of `filePath` with unread bytes, in the order they were rotated. */
  rotatedOf(filePath: string): PositionEntry[] {
    const found: PositionEntry[] = [];
    for (const [key, e] of this.entries) if (key !== filePath && e.path === filePath) found.push({ pos: e.pos, ino: e.ino, lastLine: e.lastLine });
    return found;
  }

  /**
   * Writes the file if anything changed (crash-safe: tmp + fsync + rename); a failure is logged and retried at the
   * next flush. Each path's rotated files come before its current one.
   */
  flush(): void {
    if (!this.dirty) return;
    let rotated = '';
    let current = '';
    for (const [key, e] of this.entries) {
      const line = `${e.path}\t${hex16(e.pos)}\t${hex16(e.ino)}\n`;
      if (this.keyBy === 'path' && key !== e.path) rotated += line;
      else current += line;
    }
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, rotated + current);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      this.writeLastLines();
      this.dirty = false;
    } catch (err) {
      this.log.error({ pos_file: this.file, error: (err as Error).message }, 'cannot write pos_file');
    }
  }
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}
