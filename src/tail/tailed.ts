import type { FileReader } from './file-reader.ts';

/** One tailed file: by path (default), or with follow_inodes one inode. */
export interface Tailed {
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

export function newTailed(path: string, reader: FileReader | null, committed: number): Tailed {
  return {
    path, reader, committed, draining: [], busy: false, again: false, retryAt: 0, backoff: 100, lastData: Date.now(), pendingLines: [], until: null, readWindow: { start: 0, bytes: 0 },
  };
}
