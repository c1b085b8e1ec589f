/** A record is a plain JSON-like object, as in Fluentd. */
export type EventRecord = Record<string, unknown>;

/**
 * A batch of events sharing one tag: Fluentd's event stream. Times and records live in parallel arrays so that
 * moving a thousand events costs three array pushes each, not an object per event.
 */
export class EventBatch {
  secs: number[] = [];
  nsecs: number[] = [];
  records: EventRecord[] = [];

  get length(): number {
    return this.records.length;
  }

  add(sec: number, nsec: number, record: EventRecord): void {
    this.secs.push(sec);
    this.nsecs.push(nsec);
    this.records.push(record);
  }

  static single(sec: number, nsec: number, record: EventRecord): EventBatch {
    const batch = new EventBatch();
    batch.add(sec, nsec, record);
    return batch;
  }
}
