import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EventRecord } from '../event/event-batch.ts';

/** The last snapshot of an exec source, as kept on disk between runs and restarts. */
export interface SavedSnapshot {
  /** The command that produced it: a snapshot of another command is no baseline. */
  command: string;
  savedAt: string;
  records: EventRecord[];
}

const VERSION = 1;

/**
 * One JSON file per source. A save writes a temporary file in the same directory, syncs it and renames it over
 * the old one, so a crash leaves either the previous snapshot or the new one, never half of one.
 */
export class SnapshotStore {
  constructor(
    readonly file: string,
    private readonly modes: { file: number; dir: number },
  ) {}

  /** undefined when there is no snapshot yet; throws when the file cannot be read or is not a snapshot. */
  async load(): Promise<SavedSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const data = JSON.parse(text) as { version?: unknown; command?: unknown; saved_at?: unknown; records?: unknown };
    if (data.version !== VERSION || typeof data.command !== 'string' || !Array.isArray(data.records)) {
      throw new Error(`not a version ${VERSION} exec snapshot`);
    }
    return { command: data.command, savedAt: String(data.saved_at), records: data.records as EventRecord[] };
  }

  /** `recordsJson` is the records already serialized (the caller serializes once for its own copy). */
  async save(command: string, recordsJson: string): Promise<void> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true, mode: this.modes.dir });
    const body = `{"version":${VERSION},"command":${JSON.stringify(command)},"saved_at":"${new Date().toISOString()}","records":${recordsJson}}\n`;
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(tmp, 'w', this.modes.file);
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await syncDirectory(dir);
  }
}

// The rename is durable only once the directory entry is on disk.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
