import type { EventRecord } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import { diffSnapshots } from './change-set.ts';
import type { SnapshotStore } from './snapshot-store.ts';

/** What a run's snapshot means against the last one. */
export type Comparison =
  | { kind: 'baseline' }
  | { kind: 'same' }
  | { kind: 'changed'; added: EventRecord[]; removed: EventRecord[]; previousCount: number; currentCount: number };

/** A snapshot taken from a run before its records were emitted (filters downstream may change those objects). */
export interface Snapshot {
  json: string;
  records: EventRecord[];
}

export function takeSnapshot(records: readonly EventRecord[]): Snapshot {
  const json = JSON.stringify(records);
  return { json, records: JSON.parse(json) as EventRecord[] };
}

/**
 * check_diff: keeps the last snapshot of a source (in memory and, with a store, on disk) and compares each clean
 * run with it. The caller emits what a comparison calls for and then commits, so a crash or a rejected emit in
 * between repeats the change at the next run instead of losing it.
 */
export class ChangeDetector {
  private previous: Snapshot | undefined;

  constructor(
    private readonly options: {
      command: string;
      keys: readonly string[] | undefined;
      store: SnapshotStore | undefined;
      log: Logger;
    },
  ) {}

  /** Reads the persisted snapshot, if any; a missing, unreadable or foreign one means the next run is a baseline. */
  async load(): Promise<void> {
    const { store, log, command } = this.options;
    if (!store) return;
    try {
      const saved = await store.load();
      if (!saved) return;
      if (saved.command !== command) {
        log.warn({ path: store.file, saved_command: saved.command, command },
          'the saved snapshot was taken by another command; the next run starts a new baseline');
        return;
      }
      this.previous = { json: JSON.stringify(saved.records), records: saved.records };
      log.info({ path: store.file, records: saved.records.length, saved_at: saved.savedAt }, 'loaded the last snapshot for change detection');
    } catch (err) {
      log.warn({ path: store.file, err }, 'cannot read the saved snapshot; the next run starts a new baseline');
    }
  }

  compare(current: Snapshot): Comparison {
    const previous = this.previous;
    if (previous === undefined) return { kind: 'baseline' };
    if (previous.json === current.json) return { kind: 'same' };
    const changes = diffSnapshots(previous.records, current.records, this.options.keys);
    if (changes === null) return { kind: 'same' };
    // Copies: the change record travels downstream while the snapshots stay here.
    return {
      kind: 'changed',
      added: structuredClone(changes.added),
      removed: structuredClone(changes.removed),
      previousCount: previous.records.length,
      currentCount: current.records.length,
    };
  }

  /** Makes `current` the snapshot to compare with, on disk too when there is a store (logged if that fails). */
  async commit(current: Snapshot): Promise<void> {
    const unchanged = this.previous?.json === current.json;
    this.previous = current;
    const { store, log, command } = this.options;
    if (!store || unchanged) return;
    try {
      await store.save(command, current.json);
    } catch (err) {
      log.error({ path: store.file, err }, 'cannot save the snapshot for change detection; a restart will compare with an older one');
    }
  }
}
