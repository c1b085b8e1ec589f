import { Packr } from 'msgpackr';
import type { EventRecord } from '../event/event-batch.ts';

// Ruby's msgpack sizes every map header to its key count; msgpackr's default map16 headers would differ byte-wise.
const recordPackr = new Packr({ useRecords: false, variableMapSize: true });

const ENTRY_HEADER = 11;

/**
 * One event in Fluentd's standard chunk format (`to_msgpack_stream`), for outputs without `format`: the array
 * `[time, record]` with the time as Fluentd's EventTime, msgpack ext type 0 holding 32-bit big-endian seconds and
 * nanoseconds. Chunk bytes then match Fluentd's, which is what <secondary> dumps and backups contain.
 */
export function packStandardEntry(sec: number, nsec: number, record: EventRecord): Buffer {
  const body = recordPackr.pack(record);
  const out = Buffer.allocUnsafe(ENTRY_HEADER + body.length);
  out[0] = 0x92; // fixarray of 2
  out[1] = 0xd7; // fixext 8
  out[2] = 0x00; // ext type 0: EventTime
  out.writeUInt32BE(sec >>> 0, 3);
  out.writeUInt32BE(nsec >>> 0, 7);
  body.copy(out, ENTRY_HEADER);
  return out;
}
