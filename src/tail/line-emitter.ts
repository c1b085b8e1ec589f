import { EventBatch, nowEventTime, ParserError, type EventRecord, type EventTime, type InputContext, type Parser } from '../plugin-api/index.ts';
import type { FileReader, Line } from './file-reader.ts';
import { expandTag } from './tag.ts';
import type { Tailed } from './tailed.ts';

/** Fluentd's floor for read_bytes_limit_per_second (one read's worth). */
const MIN_READ_BYTES_LIMIT = 8192;

/** The in_tail parameters that shape reading, parsing and emitting lines. */
export interface LineOptions {
  tag: string;
  path_key?: string | undefined;
  read_lines_limit: number;
  read_bytes_limit_per_second: number;
  max_line_size?: number | undefined;
  multiline_flush_interval?: number | undefined;
  emit_unmatched_lines: boolean;
}

/** Turns a tailed file's lines into events and emits them, committing an offset only once its events were accepted. */
export class LineEmitter {
  private readonly maxLineSize: number;
  private readonly readBytesLimit: number;
  /** Set by the first line of a batch that needs the current time; see now(). */
  private batchNow: EventTime | null = null;

  constructor(private readonly ctx: InputContext, private readonly p: LineOptions, private readonly parser: Parser, private readonly stopped: () => boolean) {
    this.maxLineSize = p.max_line_size ?? Infinity;
    this.readBytesLimit = p.read_bytes_limit_per_second > 0 ? Math.max(MIN_READ_BYTES_LIMIT, p.read_bytes_limit_per_second) : -1;
    if (p.read_bytes_limit_per_second > 0 && p.read_bytes_limit_per_second < MIN_READ_BYTES_LIMIT) {
      ctx.log.warn({}, `Should specify greater equal than ${MIN_READ_BYTES_LIMIT}. Use ${MIN_READ_BYTES_LIMIT} for read_bytes_limit_per_second`);
    }
  }

  /**
   * Reads, parses and emits complete lines in batches; a batch's offset is committed only once it was accepted.
   * True when it stopped at the end of what the file holds now; false when an emit was refused or tailing stops.
   */
  async readFrom(reader: FileReader, w: Tailed, commit: (next: number, lastLine?: string) => void, committed: () => number): Promise<boolean> {
    for (;;) {
      if (this.stopped()) return false;
      const budget = this.readBudget(w);
      if (budget <= 0) {
        w.retryAt = w.readWindow.start + 1000; // read_bytes_limit_per_second: this file waits for the next second
        return false;
      }
      const { lines, next } = await reader.readLines(committed(), this.p.read_lines_limit, this.maxLineSize, (bytes) => {
        this.ctx.log.warn({ path: w.path, bytes }, 'received line length is longer than max_line_size; skipped');
      }, budget);
      if (lines.length === 0) {
        if (next > committed()) commit(next); // only skipped over-long lines
        await this.flushStaleMultiline(w, commit, next);
        return true;
      }
      w.lastData = Date.now();
      const before = committed();
      const { batch, keepFrom } = this.toEvents(lines, w, before);
      if (batch.length > 0) {
        try {
          await this.ctx.emit(this.tagFor(w.path), batch);
          w.backoff = 100;
        } catch (err) {
          // Buffer full (or any failure downstream): keep the position and these lines, pause this file, retry.
          w.retryAt = Date.now() + w.backoff;
          // The engine warns "emit transaction failed" (throttled by emit_error_log_interval); this says what in_tail does.
          this.ctx.log.debug({ path: w.path, error: (err as Error).message, retry_ms: w.backoff }, 'emit refused; tailing of this file pauses and retries');
          w.backoff = Math.min(1000, w.backoff * 2);
          w.pendingLines = [];
          return false;
        }
      }
      // The line that ends exactly at the new offset, when one does: what copytruncate detection compares.
      const last = lines[lines.length - 1]!;
      commit(keepFrom ?? next, keepFrom === undefined && last.end === next ? last.text : undefined);
      w.readWindow.bytes += next - before;
      if (keepFrom !== undefined) return true; // a multiline event is still open: read again when more lines arrive
      if (lines.length < this.p.read_lines_limit && next - before < budget) return true;
    }
  }

  /**
   * read_bytes_limit_per_second, as Fluentd: the bytes a file may still give in the current one-second window
   * (a read may end up to one line past it).
   */
  private readBudget(w: Tailed): number {
    if (this.readBytesLimit <= 0) return Infinity;
    const now = Date.now();
    if (now - w.readWindow.start >= 1000) w.readWindow = { start: now, bytes: 0 };
    return this.readBytesLimit - w.readWindow.bytes;
  }

  /** Parses lines into a batch. Unparsable lines go to the error route (or as unmatched_line events) with their text. */
  private toEvents(lines: Line[], w: Tailed, start: number): { batch: EventBatch; keepFrom?: number } {
    const batch = new EventBatch();
    this.batchNow = null;
    if (!this.parser.multiline) {
      for (const line of lines) this.parseOne(line.text, batch, w);
      return { batch };
    }
    // Multiline: an event ends where the next firstline begins; the open event is re-read next time.
    let eventStart = start;
    let pending: string[] = [];
    for (const line of lines) {
      if (this.parser.firstline) {
        if (this.parser.firstline(line.text)) {
          if (pending.length > 0) this.parseOne(pending.join('\n'), batch, w);
          pending = [line.text];
          eventStart = line.end - Buffer.byteLength(line.text) - 1;
        } else if (pending.length > 0) {
          pending.push(line.text);
        } else {
          this.ctx.log.warn({ path: w.path, line: line.text }, 'got incomplete line before first line from multiline parser');
          eventStart = line.end;
        }
      } else {
        pending.push(line.text);
        const probe = new EventBatch();
        if (this.tryParse(pending.join('\n'), probe)) {
          for (let i = 0; i < probe.length; i++) batch.add(probe.secs[i]!, probe.nsecs[i]!, probe.records[i]!);
          pending = [];
          eventStart = line.end;
        }
      }
    }
    w.pendingLines = pending;
    return pending.length > 0 ? { batch, keepFrom: eventStart } : { batch };
  }

  /** multiline_flush_interval: an open multiline event with no new lines for that long is emitted as it is. */
  private async flushStaleMultiline(w: Tailed, commit: (next: number) => void, end: number): Promise<void> {
    if (!this.parser.multiline || w.pendingLines.length === 0 || this.p.multiline_flush_interval === undefined) return;
    if (Date.now() - w.lastData < this.p.multiline_flush_interval * 1000) return;
    const batch = new EventBatch();
    this.batchNow = null;
    this.parseOne(w.pendingLines.join('\n'), batch, w);
    try {
      await this.ctx.emit(this.tagFor(w.path), batch);
      w.pendingLines = [];
      commit(end);
    } catch {
      // retried at the next poll
    }
  }

  private tryParse(text: string, batch: EventBatch): boolean {
    try {
      return this.parser.parse(text, batch);
    } catch {
      return false;
    }
  }

  private parseOne(text: string, batch: EventBatch, w: Tailed): void {
    const before = batch.length;
    let error: Error | null = null;
    let matched = false;
    try {
      matched = this.parser.parse(text, batch);
    } catch (err) {
      error = err instanceof ParserError ? err : new ParserError((err as Error).message);
    }
    if (matched && !error) {
      for (let i = before; i < batch.length; i++) {
        if (Number.isNaN(batch.secs[i])) {
          const now = this.now();
          batch.secs[i] = now.sec;
          batch.nsecs[i] = now.nsec;
        }
        if (this.p.path_key && !(this.p.path_key in batch.records[i]!)) (batch.records[i] as EventRecord)[this.p.path_key] = w.path;
      }
      return;
    }
    batch.secs.length = batch.nsecs.length = batch.records.length = before;
    const now = this.now();
    if (this.p.emit_unmatched_lines) {
      const record: EventRecord = { unmatched_line: text };
      if (this.p.path_key) record[this.p.path_key] = w.path;
      batch.add(now.sec, now.nsec, record);
      return;
    }
    // Fluentd only logs "pattern not matched"; logferry routes the raw line to @ERROR so it is never lost.
    this.ctx.emitError(this.tagFor(w.path), now.sec, now.nsec, { message: text, path: w.path }, error ?? new ParserError(`pattern not matched: ${JSON.stringify(text.slice(0, 200))}`));
  }

  /** The time of events whose line has none: one clock read per batch, which is read in microseconds. */
  private now(): EventTime {
    return (this.batchNow ??= nowEventTime());
  }

  private tagFor(file: string): string {
    return expandTag(this.p.tag, file);
  }
}
