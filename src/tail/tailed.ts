import type { FileReader } from './file-reader.ts';

/** One tailed file: by path (default), or with follow_inodes one inode. */
export interface Tailed {
  path: string;
  reader: FileReader | null;
  /** Offset of the first byte not yet accepted by the outputs. */
  committed: number;
  /**
   * The inode `committed` is an offset in (null: none yet, so whatever file opens first is read from its head). A
   * file opened at the path with another inode is a new one: the one the offset belongs to was rotated away, and is
   * found by its inode and read on from there.
   */
  ino: number | null;
  /** The line that ends at `committed` (undefined: not known), to tell a copytruncate that regrew the file. */
  lastLine: string | undefined;
  /**
   * When the reader was opened, while none of the file has been read yet (null once its first lines are read, or
   * once copies of it were looked for): a copytruncate before that first read leaves a copy only its mtime tells.
   */
  unreadSince: number | null;
  /**
   * Files rotated away, still read until rotate_wait passes, oldest first. Each keeps its own pos entry until it is
   * let go, so a kill at any moment leaves a position for every file with unread bytes.
   */
  draining: Draining[];
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

/** A file rotated away from a path and still read: where its accepted lines end, and the line that ends there. */
export interface Draining {
  reader: FileReader;
  committed: number;
  lastLine: string | undefined;
  until: number;
}

export function newTailed(path: string, reader: FileReader | null, committed: number): Tailed {
  return {
    path, reader, committed, ino: reader?.ino ?? null, lastLine: undefined, unreadSince: null, draining: [], busy: false, again: false, retryAt: 0, backoff: 100, lastData: Date.now(), pendingLines: [], until: null, readWindow: { start: 0, bytes: 0 },
  };
}
