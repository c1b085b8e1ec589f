/**
 * Finds where msgpack objects end without decoding them, so a TCP stream is cut into whole frames before any
 * decoding (and a packed str32/bin32 body is skipped in one step, not re-parsed as more bytes arrive).
 */

/** The object starting at `pos` ends at `end`; or it is incomplete and at least `need` bytes in all are required. */
export type ScanResult = { end: number; need?: undefined } | { end?: undefined; need: number };

export class InvalidMsgpackError extends Error {}

/**
 * Scans one object at `pos` of `buf` (up to `limit`). Containers are walked with an explicit count of values still
 * to skip, so deep nesting costs no stack.
 */
export function scanObject(buf: Buffer, pos: number, limit = buf.length): ScanResult {
  let remaining = 1;
  while (remaining > 0) {
    if (pos >= limit) return { need: pos + 1 };
    const b = buf[pos]!;
    remaining--;
    let header = 1;
    let body = 0;
    let children = 0;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // fixint, nil, false, true
    } else if (b >= 0x80 && b <= 0x8f) children = (b & 0x0f) * 2;
    else if (b >= 0x90 && b <= 0x9f) children = b & 0x0f;
    else if (b >= 0xa0 && b <= 0xbf) body = b & 0x1f;
    else {
      const size = FIXED[b];
      if (size === undefined) throw new InvalidMsgpackError(`invalid msgpack byte 0x${b.toString(16)} at offset ${pos}`);
      if (size.header + pos > limit) return { need: pos + size.header };
      header = size.header;
      const len = size.lenBytes === 1 ? buf[pos + 1]! : size.lenBytes === 2 ? buf.readUInt16BE(pos + 1) : size.lenBytes === 4 ? buf.readUInt32BE(pos + 1) : 0;
      if (size.kind === 'body') body = len + size.extra;
      else if (size.kind === 'fixed') body = size.extra;
      else children = size.kind === 'map' ? len * 2 : len;
    }
    pos += header + body;
    if (pos > limit) return { need: pos };
    remaining += children;
  }
  return { end: pos };
}

interface Fixed {
  header: number;
  lenBytes: 0 | 1 | 2 | 4;
  kind: 'body' | 'fixed' | 'array' | 'map';
  /** Bytes after the header beyond the length (an ext's type byte), or a fixed body size. */
  extra: number;
}

const FIXED: Record<number, Fixed> = {
  0xc4: { header: 2, lenBytes: 1, kind: 'body', extra: 0 }, // bin 8
  0xc5: { header: 3, lenBytes: 2, kind: 'body', extra: 0 },
  0xc6: { header: 5, lenBytes: 4, kind: 'body', extra: 0 },
  0xc7: { header: 2, lenBytes: 1, kind: 'body', extra: 1 }, // ext 8 (+ type)
  0xc8: { header: 3, lenBytes: 2, kind: 'body', extra: 1 },
  0xc9: { header: 5, lenBytes: 4, kind: 'body', extra: 1 },
  0xca: { header: 1, lenBytes: 0, kind: 'fixed', extra: 4 }, // float 32
  0xcb: { header: 1, lenBytes: 0, kind: 'fixed', extra: 8 },
  0xcc: { header: 1, lenBytes: 0, kind: 'fixed', extra: 1 }, // uint 8
  0xcd: { header: 1, lenBytes: 0, kind: 'fixed', extra: 2 },
  0xce: { header: 1, lenBytes: 0, kind: 'fixed', extra: 4 },
  0xcf: { header: 1, lenBytes: 0, kind: 'fixed', extra: 8 },
  0xd0: { header: 1, lenBytes: 0, kind: 'fixed', extra: 1 }, // int 8
  0xd1: { header: 1, lenBytes: 0, kind: 'fixed', extra: 2 },
  0xd2: { header: 1, lenBytes: 0, kind: 'fixed', extra: 4 },
  0xd3: { header: 1, lenBytes: 0, kind: 'fixed', extra: 8 },
  0xd4: { header: 1, lenBytes: 0, kind: 'fixed', extra: 2 }, // fixext 1 (+ type)
  0xd5: { header: 1, lenBytes: 0, kind: 'fixed', extra: 3 },
  0xd6: { header: 1, lenBytes: 0, kind: 'fixed', extra: 5 },
  0xd7: { header: 1, lenBytes: 0, kind: 'fixed', extra: 9 },
  0xd8: { header: 1, lenBytes: 0, kind: 'fixed', extra: 17 },
  0xd9: { header: 2, lenBytes: 1, kind: 'body', extra: 0 }, // str 8
  0xda: { header: 3, lenBytes: 2, kind: 'body', extra: 0 },
  0xdb: { header: 5, lenBytes: 4, kind: 'body', extra: 0 },
  0xdc: { header: 3, lenBytes: 2, kind: 'array', extra: 0 },
  0xdd: { header: 5, lenBytes: 4, kind: 'array', extra: 0 },
  0xde: { header: 3, lenBytes: 2, kind: 'map', extra: 0 },
  0xdf: { header: 5, lenBytes: 4, kind: 'map', extra: 0 },
};
