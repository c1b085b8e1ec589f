import { unpackr } from './codec.ts';
import { scanObject } from './frame-scanner.ts';

/** One frame of the forward protocol, its elements decoded except packed entries, which stay bytes. */
export interface ForwardFrame {
  /** Every element; for PackedForward the second is the raw entries (str or bin payload). */
  elements: unknown[];
  /** The packed entries' bytes when the second element is a str or bin (PackedForward). */
  packed: Buffer | undefined;
}

export class BrokenFrameError extends Error {}

/**
 * Splits a top-level msgpack array and decodes its elements one by one. The second element of PackedForward is a
 * str32 (out_forward) or bin (fluent-logger) holding msgpack bytes: taken as bytes, because decoding it as a string
 * would mangle them as UTF-8 (`keepPacked` false, for handshake messages, decodes it as any other). A frame that is not an array is decoded whole (in_forward warns that it is broken).
 */
export function decodeFrame(frame: Buffer, keepPacked = true): ForwardFrame {
  const head = frame[0]!;
  let count: number;
  let pos: number;
  if (head >= 0x90 && head <= 0x9f) {
    count = head & 0x0f;
    pos = 1;
  } else if (head === 0xdc) {
    count = frame.readUInt16BE(1);
    pos = 3;
  } else if (head === 0xdd) {
    count = frame.readUInt32BE(1);
    pos = 5;
  } else {
    return { elements: [unpack(frame)], packed: undefined };
  }
  const elements: unknown[] = [];
  let packed: Buffer | undefined;
  for (let i = 0; i < count; i++) {
    const { end } = scanObject(frame, pos);
    if (end === undefined) throw new BrokenFrameError('truncated array element');
    const raw = keepPacked && i === 1 ? rawBytes(frame, pos, end) : undefined;
    if (raw) {
      packed = raw;
      elements.push(raw);
    } else {
      elements.push(unpack(frame.subarray(pos, end)));
    }
    pos = end;
  }
  return { elements, packed };
}

/** The payload of a str or bin at `pos`, or undefined for any other type. */
function rawBytes(frame: Buffer, pos: number, end: number): Buffer | undefined {
  const b = frame[pos]!;
  let header: number;
  if (b >= 0xa0 && b <= 0xbf) header = 1;
  else if (b === 0xd9 || b === 0xc4) header = 2;
  else if (b === 0xda || b === 0xc5) header = 3;
  else if (b === 0xdb || b === 0xc6) header = 5;
  else return undefined;
  return frame.subarray(pos + header, end);
}

function unpack(bytes: Buffer): unknown {
  try {
    return unpackr.unpack(bytes);
  } catch (err) {
    throw new BrokenFrameError((err as Error).message);
  }
}
