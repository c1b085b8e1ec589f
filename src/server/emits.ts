import { EventBatch, type EventRecord } from '../plugin-api/index.ts';

/** Events of one read in arrival order, grouped into one batch per run of the same tag. */
export class Emits {
  readonly runs: Array<{ tag: string; batch: EventBatch }> = [];

  add(tag: string, sec: number, nsec: number, record: EventRecord): void {
    const last = this.runs[this.runs.length - 1];
    if (last && last.tag === tag) last.batch.add(sec, nsec, record);
    else this.runs.push({ tag, batch: EventBatch.single(sec, nsec, record) });
  }
}
