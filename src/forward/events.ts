import { gunzipSync } from 'node:zlib';
import { EventBatch, type EventRecord } from '../event/event-batch.ts';
import { eventTimeFromFloat, nowEventTime } from '../event/event-time.ts';
import { EventTimeValue, unpackMultiple } from './codec.ts';
import { BrokenFrameError, type ForwardFrame } from './message.ts';

export interface EventOptions {
  skipInvalidEvent: boolean;
  /** `tag`: replaces the incoming tag. */
  tag: string | undefined;
  addTagPrefix: string | undefined;
  sourceAddressKey: string | undefined;
  sourceHostnameKey: string | undefined;
  decompressionSizeLimit: number;
}

export interface Peer {
  address: string;
  hostname: string;
}

/** The events of one frame, and its option map (whose `chunk` asks for an ack). */
export interface ForwardEvents {
  tag: string;
  batch: EventBatch;
  option: Record<string, unknown> | undefined;
  /** Events dropped as invalid (skip_invalid_event), with the first one for the warning. */
  invalid: number;
  firstInvalid: [unknown, unknown] | undefined;
}

type Mode = 'Message' | 'Forward' | 'PackedForward';

/**
 * Fluentd's in_forward#on_message for one decoded frame: the mode is chosen by the type of the second element,
 * packed entries are gunzipped when `compressed` says gzip, and each event goes through normalize_event_stream's
 * rules. What is wrong with the frame itself (not an array, a tag that is no string, entries of no known shape,
 * packed bytes that are not msgpack) throws BrokenFrameError: the caller closes that connection.
 */
export function frameToEvents(frame: ForwardFrame, options: EventOptions, peer: Peer): ForwardEvents {
  const msg = frame.elements;
  if (msg.length < 2) throw new BrokenFrameError(msg.length === 1 && !Array.isArray(msg[0]) ? 'incoming chunk is broken: not an array' : 'incoming chunk is broken: fewer than 2 elements');
  const incoming = msg[0];
  if (typeof incoming !== 'string' && options.tag === undefined) throw new BrokenFrameError(`tag is not a string (${describe(incoming)})`);
  let tag = options.tag ?? (incoming as string);
  if (options.addTagPrefix !== undefined) tag = `${options.addTagPrefix}.${tag}`;
  const entries = msg[1];
  const mode: Mode = frame.packed ? 'PackedForward' : Array.isArray(entries) ? 'Forward' : 'Message';
  const optionAt = mode === 'Message' ? 3 : 2;
  const option = optionMap(msg[optionAt]);
  const out: ForwardEvents = { tag, batch: new EventBatch(), option, invalid: 0, firstInvalid: undefined };
  if (mode === 'Message') {
    addEvent(out, msg[1], msg[2], options);
  } else {
    const list = mode === 'Forward' ? (entries as unknown[]) : unpackEntries(frame.packed!, option, options.decompressionSizeLimit);
    for (const entry of list) {
      if (!Array.isArray(entry)) {
        countInvalid(out, entry, undefined);
        continue;
      }
      addEvent(out, entry[0], entry[1], options);
    }
  }
  if (options.sourceAddressKey !== undefined || options.sourceHostnameKey !== undefined) addSource(out.batch, options, peer);
  return out;
}

function optionMap(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) throw new BrokenFrameError(`option is not a map (${describe(value)})`);
  return value as Record<string, unknown>;
}

function unpackEntries(bytes: Buffer, option: Record<string, unknown> | undefined, limit: number): unknown[] {
  const compressed = option?.compressed;
  let plain = bytes;
  if (compressed !== undefined && compressed !== null && compressed !== 'text') {
    if (compressed !== 'gzip') throw new BrokenFrameError(`unsupported compressed: ${describe(compressed)} (gzip and text are)`);
    try {
      plain = gunzipSync(bytes, { maxOutputLength: limit });
    } catch (err) {
      throw new BrokenFrameError(`gzip entries cannot be decompressed: ${(err as Error).message}`);
    }
  }
  try {
    return unpackMultiple(plain);
  } catch (err) {
    const e = err as Error & { incomplete?: boolean };
    throw new BrokenFrameError(e.incomplete ? 'packed entries end in the middle of an entry' : `packed entries are not msgpack: ${e.message}`);
  }
}

function addEvent(out: ForwardEvents, rawTime: unknown, record: unknown, options: EventOptions): void {
  const time = Array.isArray(rawTime) ? rawTime[0] : rawTime; // Fluent Bit's [time, metadata]
  if (!isRecord(record)) {
    // Fluentd drops a nil record silently even when invalid events are kept.
    if (record !== null && record !== undefined || options.skipInvalidEvent) countInvalid(out, rawTime, record);
    return;
  }
  let sec: number;
  let nsec = 0;
  if (time instanceof EventTimeValue) {
    sec = time.sec;
    nsec = time.nsec;
  } else if (Number.isInteger(time)) {
    sec = time as number;
  } else if (!options.skipInvalidEvent && (time === null || time === undefined)) {
    sec = 0;
  } else if (!options.skipInvalidEvent && typeof time === 'number' && Number.isFinite(time)) {
    ({ sec, nsec } = eventTimeFromFloat(time));
  } else {
    countInvalid(out, rawTime, record);
    return;
  }
  if (sec === 0) ({ sec, nsec } = nowEventTime()); // Fluentd: `time.to_i == 0` means now
  out.batch.add(sec, nsec, record);
}

function countInvalid(out: ForwardEvents, time: unknown, record: unknown): void {
  out.invalid++;
  out.firstInvalid ??= [time, record];
}

function isRecord(value: unknown): value is EventRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof EventTimeValue);
}

function addSource(batch: EventBatch, options: EventOptions, peer: Peer): void {
  for (const record of batch.records) {
    if (options.sourceAddressKey !== undefined) record[options.sourceAddressKey] = peer.address;
    if (options.sourceHostnameKey !== undefined) record[options.sourceHostnameKey] = peer.hostname;
  }
}

export function describe(value: unknown): string {
  if (value instanceof EventTimeValue) return `EventTime(${value.sec}.${String(value.nsec).padStart(9, '0')})`;
  if (Buffer.isBuffer(value)) return `${value.length} bytes`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
