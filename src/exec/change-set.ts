import type { EventRecord } from '../event/event-batch.ts';

export interface ChangeSet {
  /** Records of the current run with no counterpart in the previous one, in the current order. */
  added: EventRecord[];
  /** Records of the previous run with no counterpart in the current one, in the previous order. */
  removed: EventRecord[];
}

/**
 * A record's identity for the comparison: the values of `keys` (absent = null), or the whole record with its keys
 * sorted at every level, so field order never makes two records differ.
 */
export function identityOf(record: EventRecord, keys: readonly string[] | undefined): string {
  if (keys === undefined) return canonicalJson(record);
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = record[keys[i]!] ?? null;
  return canonicalJson(values);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedKeys);
}

function sortedKeys(_key: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
  return sorted;
}

/**
 * Compares two snapshots as multisets of identities: order does not matter, and a record present twice before and
 * once now counts as one removed. Returns null when they are equal.
 */
export function diffSnapshots(
  previous: readonly EventRecord[],
  current: readonly EventRecord[],
  keys: readonly string[] | undefined,
): ChangeSet | null {
  const unmatched = new Map<string, number>();
  const previousIds = previous.map((r) => identityOf(r, keys));
  for (const id of previousIds) unmatched.set(id, (unmatched.get(id) ?? 0) + 1);
  const added: EventRecord[] = [];
  for (const record of current) {
    const id = identityOf(record, keys);
    const left = unmatched.get(id) ?? 0;
    if (left > 0) unmatched.set(id, left - 1);
    else added.push(record);
  }
  const removed: EventRecord[] = [];
  previousIds.forEach((id, i) => {
    const left = unmatched.get(id) ?? 0;
    if (left > 0) {
      unmatched.set(id, left - 1);
      removed.push(previous[i]!);
    }
  });
  return added.length === 0 && removed.length === 0 ? null : { added, removed };
}
