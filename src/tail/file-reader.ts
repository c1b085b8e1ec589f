import { open, type FileHandle } from 'node:fs/promises';

const BLOCK = 1 << 20;

/** One complete line: its text and the byte offset just after its newline. */
export interface Line {
  text: string;
  end: number;
}

/**
 * An open file read as bytes from a committed offset, split on 0x0A (which never occurs inside a multi-byte UTF-8
 * sequence), decoding only complete lines. A last line without its newline is not returned: it is read again, whole,
 * once its newline is there. `\r\n` loses its `\r`.
 */
export class FileReader {
  private buffer = Buffer.allocUnsafe(BLOCK);
  /**
   * Bytes read but not yet returned, because a call stopped at maxLines: buffer[cacheStart, cacheEnd) holds the file
   * from cacheOffset. Served only to the call that continues exactly there, so a 1 MB read feeds every batch in it
   * instead of being read again per batch. Any fresh read drops it.
   */
  private cacheOffset = -1;
  private cacheStart = 0;
  private cacheEnd = 0;

  private constructor(readonly handle: FileHandle, readonly ino: number, private readonly decoder: TextDecoder | null) {}

  static async open(file: string, decoder: TextDecoder | null): Promise<FileReader> {
    const handle = await open(file, 'r');
    const st = await handle.stat();
    return new FileReader(handle, st.ino, decoder);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /**
   * Reads complete lines from `offset`, at most `maxLines`, stopping after the line that reaches `maxBytes`. Lines
   * longer than `maxLineSize` are skipped (reported through `onTooLong`). Returns the lines and the offset after the
   * last byte consumed.
   */
  async readLines(offset: number, maxLines: number, maxLineSize: number, onTooLong: (bytes: number) => void, maxBytes = Infinity): Promise<{ lines: Line[]; next: number }> {
    const lines: Line[] = [];
    let pos = offset;
    for (;;) {
      const cached = pos === this.cacheOffset;
      let base = 0;
      let limit: number;
      if (cached) {
        base = this.cacheStart;
        limit = this.cacheEnd;
      } else {
        const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, pos);
        if (bytesRead === 0) break;
        limit = bytesRead;
      }
      this.cacheOffset = -1;
      const buf = this.buffer;
      let start = base;
      let nl = buf.indexOf(10, start);
      while (nl >= 0 && nl < limit) {
        let end = nl;
        if (end > start && buf[end - 1] === 13) end--;
        if (end - start > maxLineSize) onTooLong(end - start);
        else lines.push({ text: this.decoder ? this.decoder.decode(buf.subarray(start, end)) : buf.toString('utf8', start, end), end: pos + nl + 1 - base });
        start = nl + 1;
        if (lines.length >= maxLines || pos + start - base - offset >= maxBytes) {
          if (start < limit) {
            this.cacheOffset = pos + start - base;
            this.cacheStart = start;
            this.cacheEnd = limit;
          }
          return { lines, next: pos + start - base };
        }
        nl = buf.indexOf(10, start);
      }
      if (!cached && start === 0 && limit === buf.length) {
        // One line longer than the buffer: grow it (up to max_line_size, past which the line is skipped).
        if (buf.length > maxLineSize) {
          const skip = await this.skipLine(pos + limit);
          if (skip === null) break;
          onTooLong(skip - pos);
          pos = skip;
          continue;
        }
        this.buffer = Buffer.allocUnsafe(buf.length * 2);
        continue;
      }
      pos += start - base;
      // A short fresh read is the end of the file for now; the rest of a cached block is followed by a fresh read.
      if (!cached && limit < buf.length) break;
    }
    return { lines, next: pos };
  }

  /** The offset after the next newline at or after `from`, or null if there is none yet. */
  private async skipLine(from: number): Promise<number | null> {
    const probe = Buffer.allocUnsafe(1 << 16);
    for (let pos = from; ;) {
      const { bytesRead } = await this.handle.read(probe, 0, probe.length, pos);
      if (bytesRead === 0) return null;
      const nl = probe.indexOf(10);
      if (nl >= 0 && nl < bytesRead) return pos + nl + 1;
      pos += bytesRead;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
