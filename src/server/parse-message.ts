import { nowEventTime, ParserError, type EventRecord, type InputContext, type Parser } from '../plugin-api/index.ts';
import { EventBatch } from '../plugin-api/index.ts';
import type { Extracted, Extractor } from '../plugin-helpers/extract.ts';
import type { Emits } from './emits.ts';
import type { Peer } from './peer.ts';

export interface MessageOptions {
  tag: string;
  sourceAddressKey: string | undefined;
  sourceHostnameKey: string | undefined;
  extractor: Extractor | undefined;
}

/**
 * in_tcp / in_udp: parses one message into events (tag and time from <extract>, else the tag and now) with the
 * source keys. A message that does not parse goes to the error route with its raw text, so it is never lost.
 */
export function parseMessage(ctx: InputContext, parser: Parser, text: string, peer: Peer, o: MessageOptions, out: Emits): void {
  const batch = new EventBatch();
  let error: Error | undefined;
  try {
    if (!parser.parse(text, batch)) error = new ParserError(`pattern not matched: ${JSON.stringify(text.slice(0, 200))}`);
  } catch (err) {
    error = err instanceof ParserError ? err : new ParserError((err as Error).message);
  }
  const now = nowEventTime();
  if (error) {
    // Fluentd only warns "pattern not matched"; the error route keeps the text (and logs it without an @ERROR label).
    ctx.emitError(o.tag, now.sec, now.nsec, { message: text }, error);
    return;
  }
  const extracted: Extracted = { tag: undefined, sec: NaN, nsec: 0 };
  for (let i = 0; i < batch.length; i++) {
    const record = batch.records[i] as EventRecord;
    let sec = batch.secs[i]!;
    let nsec = batch.nsecs[i]!;
    let tag = o.tag;
    if (o.extractor) {
      try {
        o.extractor(record, extracted);
      } catch (err) {
        ctx.emitError(o.tag, now.sec, now.nsec, { message: text }, err as Error);
        continue;
      }
      tag = extracted.tag ?? tag;
      if (Number.isNaN(sec) && !Number.isNaN(extracted.sec)) {
        sec = extracted.sec;
        nsec = extracted.nsec;
      }
    }
    if (Number.isNaN(sec)) {
      sec = now.sec;
      nsec = now.nsec;
    }
    if (o.sourceAddressKey !== undefined) record[o.sourceAddressKey] = peer.address;
    if (o.sourceHostnameKey !== undefined) record[o.sourceHostnameKey] = peer.hostname;
    out.add(tag, sec, nsec, record);
  }
}
