import { EventBatch, type EventRecord } from '../event/event-batch.ts';
import { nowEventTime } from '../event/event-time.ts';
import { ParserError } from '../plugin-api/errors.ts';
import type { EmittingContext, Parser } from '../plugin-api/types.ts';
import type { Extracted, Extractor } from '../plugin-helpers/extract.ts';

/**
 * Turns the texts of one run into events, as Fluentd's in_exec#on_record does: the tag is the record's tag_key
 * value or `tag`; the time is the parser's, else the extracted one, else now. Events collect in one batch per
 * tag until taken. A text that does not parse goes to the error route as `{unmatched_line: text}`.
 */
export class RunCollector {
  private readonly scratch = new EventBatch();
  private batches = new Map<string, EventBatch>();
  private readonly extracted: Extracted = { tag: undefined, sec: NaN, nsec: 0 };
  private collected = 0;
  private placed = 0;

  constructor(
    private readonly ctx: Pick<EmittingContext, 'emitError' | 'log'>,
    private readonly parser: Parser,
    private readonly tag: string | undefined,
    private readonly extractor: Extractor | undefined,
  ) {}

  /** Events collected since the last take. */
  get size(): number {
    return this.collected;
  }

  /** Events collected in the whole run. */
  get total(): number {
    return this.placed;
  }

  parse(text: string): void {
    const scratch = this.scratch;
    let failure: Error | undefined;
    try {
      if (!this.parser.parse(text, scratch)) failure = new ParserError(`pattern not matched: ${JSON.stringify(text)}`);
    } catch (err) {
      failure = err instanceof Error ? err : new ParserError(String(err));
    }
    const now = nowEventTime();
    if (failure) this.ctx.emitError(this.tag ?? '', now.sec, now.nsec, { unmatched_line: text }, failure);
    for (let i = 0; i < scratch.length; i++) this.place(scratch.secs[i]!, scratch.nsecs[i]!, scratch.records[i]!, now.sec, now.nsec);
    scratch.secs.length = 0;
    scratch.nsecs.length = 0;
    scratch.records.length = 0;
  }

  /** The events collected so far, by tag, leaving the collector empty. */
  take(): Map<string, EventBatch> {
    const taken = this.batches;
    this.batches = new Map();
    this.collected = 0;
    return taken;
  }

  private place(sec: number, nsec: number, record: EventRecord, nowSec: number, nowNsec: number): void {
    let tag = this.tag;
    if (this.extractor) {
      const x = this.extracted;
      try {
        this.extractor(record, x);
      } catch (err) {
        this.ctx.emitError(x.tag ?? tag ?? '', nowSec, nowNsec, record, err as Error);
        return;
      }
      if (x.tag !== undefined) tag = x.tag;
      if (Number.isNaN(sec) && !Number.isNaN(x.sec)) {
        sec = x.sec;
        nsec = x.nsec;
      }
    }
    if (Number.isNaN(sec)) {
      sec = nowSec;
      nsec = nowNsec;
    }
    if (tag === undefined) {
      this.ctx.log.error({ record }, 'exec failed to emit: the record has no tag_key field and no tag is set');
      return;
    }
    let batch = this.batches.get(tag);
    if (batch === undefined) {
      batch = new EventBatch();
      this.batches.set(tag, batch);
    }
    batch.add(sec, nsec, record);
    this.collected++;
    this.placed++;
  }
}
