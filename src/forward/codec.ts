import { addExtension, Packr, Unpackr } from 'msgpackr';

/** Fluentd's EventTime as it arrives on the wire: msgpack ext type 0, big-endian uint32 seconds and nanoseconds. */
export class EventTimeValue {
  constructor(readonly sec: number, readonly nsec: number) {}
}

// msgpackr registers extensions globally; ext 0 is Fluentd's EventTime wherever it appears. Only decoding is
// registered: everything logferry sends with times is already in the buffer's standard format (packStandardEntry
// writes the fixext 8 itself), so no Packr needs to write type 0 (which addExtension's pack path refuses).
addExtension({ type: 0, unpack: (data: Buffer) => new EventTimeValue(data.readUInt32BE(0), data.readUInt32BE(4)) });

/** Decodes forward messages and entries: plain maps (never msgpackr records), integers as numbers. */
export const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: 'number' });

// Ruby's msgpack sizes map headers to their key count; useRecords false keeps msgpackr's record extension out.
const packr = new Packr({ useRecords: false, variableMapSize: true });

/** Encodes the small control messages (HELO, PING, PONG, acks, options) and tags. */
export function pack(value: unknown): Buffer {
  return packr.pack(value);
}

export function unpackMultiple(data: Buffer): unknown[] {
  return unpackr.unpackMultiple(data) as unknown[];
}
