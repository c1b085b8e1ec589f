import type { Logger } from '../plugin-api/logger.ts';

/** Cuts a byte stream into messages; throws an Error when the stream cannot be framed (the connection closes). */
export interface Splitter {
  push(data: Buffer): Buffer[];
  /** Bytes held for an incomplete message. */
  readonly pending: number;
}

/**
 * in_tcp's framing: messages end with the delimiter. With message_length_limit, a longer message is dropped with
 * Fluentd's info line, and a partial message already over the limit is cleared and the rest of it up to the next
 * delimiter discarded, so memory stays bounded.
 */
export class DelimiterSplitter implements Splitter {
  private buf: Buffer = Buffer.alloc(0);
  private discarding = false;
  private readonly delimiter: Buffer;

  constructor(delimiter: string, private readonly limit: number | undefined, private readonly log: Logger) {
    this.delimiter = Buffer.from(delimiter);
  }

  get pending(): number {
    return this.buf.length;
  }

  push(data: Buffer): Buffer[] {
    const buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const out: Buffer[] = [];
    let pos = 0;
    for (let i = buf.indexOf(this.delimiter, pos); i >= 0; i = buf.indexOf(this.delimiter, pos)) {
      const msg = buf.subarray(pos, i);
      pos = i + this.delimiter.length;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (this.limit !== undefined && msg.length > this.limit) {
        this.log.info({ limit: this.limit, size: msg.length, head: msg.subarray(0, 32).toString() }, "The received data is larger than 'message_length_limit', dropped:");
        continue;
      }
      out.push(msg);
    }
    this.buf = Buffer.from(buf.subarray(pos));
    if (this.limit !== undefined && this.buf.length > this.limit) {
      this.log.info({ limit: this.limit, size: this.buf.length, head: this.buf.subarray(0, 32).toString() }, "The buffer size exceeds 'message_length_limit', cleared:");
      this.buf = Buffer.alloc(0);
      this.discarding = true;
    }
    return out;
  }
}

/** RFC 6587 octet counting (in_syslog frame_type octet_count): `LENGTH SP MESSAGE`, LENGTH in bytes. */
export class OctetCountSplitter implements Splitter {
  private buf: Buffer = Buffer.alloc(0);

  get pending(): number {
    return this.buf.length;
  }

  push(data: Buffer): Buffer[] {
    const buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    const out: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const space = buf.indexOf(0x20, pos);
      if (space < 0) {
        if (buf.length - pos > 10) throw new Error(`octet count expected, got ${JSON.stringify(buf.subarray(pos, pos + 32).toString())}`);
        break;
      }
      const head = buf.subarray(pos, space).toString('latin1');
      if (!/^\s*\d+$/.test(head)) throw new Error(`invalid octet count ${JSON.stringify(head.slice(0, 32))}`);
      const size = Number(head);
      if (buf.length < space + 1 + size) break;
      out.push(buf.subarray(space + 1, space + 1 + size));
      pos = space + 1 + size;
    }
    this.buf = Buffer.from(buf.subarray(pos));
    return out;
  }
}
