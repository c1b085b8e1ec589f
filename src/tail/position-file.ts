import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../plugin-api/index.ts';

export interface PositionEntry {
  pos: number;
  ino: number;
}

const LINE = /^([^\t]+)\t([0-9a-fA-F]+)\t([0-9a-fA-F]+)/;
const UNWATCHED = 0xffffffffffffffff;

/**
 * Fluentd's pos_file (`path\t%016x pos\t%016x inode\n`), so a td-agent pos file resumes where td-agent stopped.
 * logferry rewrites the whole file to `<pos_file>.tmp` and renames it over the old one (after fsync), so a crash at
 * any moment leaves either the old or the new file whole; unreadable lines are reported and skipped.
 */
export class PositionFile {
  readonly entries = new Map<string, PositionEntry>();
  private dirty = false;

  constructor(readonly file: string, private readonly log: Logger) {}

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
      this.entries.set(m[1]!, { pos, ino: parseInt(m[3]!, 16) });
    }
    if (bad > 0) this.log.warn({ pos_file: this.file, lines: bad }, 'pos_file has unreadable lines; they were skipped (their files start per read_from_head)');
  }

  set(filePath: string, entry: PositionEntry): void {
    const old = this.entries.get(filePath);
    if (old && old.pos === entry.pos && old.ino === entry.ino) return;
    this.entries.set(filePath, entry);
    this.dirty = true;
  }

  delete(filePath: string): void {
    if (this.entries.delete(filePath)) this.dirty = true;
  }

  /** Writes the file if anything changed (crash-safe: tmp + fsync + rename). */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    let text = '';
    for (const [p, e] of this.entries) text += `${p}\t${hex16(e.pos)}\t${hex16(e.ino)}\n`;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}
