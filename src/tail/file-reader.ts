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
   * Reads complete lines from `offset`, at most `maxLines`. Lines longer than `maxLineSize` are skipped (reported
   * through `onTooLong`). Returns the lines and the offset after the last byte consumed.
   */
  async readLines(offset: number, maxLines: number, maxLineSize: number, onTooLong: (bytes: number) => void): Promise<{ lines: Line[]; next: number }> {
    const lines: Line[] = [];
    let pos = offset;
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, pos);
      if (bytesRead === 0) break;
      const buf = this.buffer;
      let start = 0;
      let nl = buf.indexOf(10, 0);
      while (nl >= 0 && nl < bytesRead) {
        let end = nl;
        if (end > start && buf[end - 1] === 13) end--;
        if (end - start > maxLineSize) onTooLong(end - start);
        else lines.push({ text: this.decoder ? this.decoder.decode(buf.subarray(start, end)) : buf.toString('utf8', start, end), end: pos + nl + 1 });
        start = nl + 1;
        if (lines.length >= maxLines) return { lines, next: pos + start };
        nl = buf.indexOf(10, start);
      }
      if (start === 0 && bytesRead === buf.length) {
        // One line longer than the buffer: grow it (up to max_line_size, past which the line is skipped).
        if (buf.length > maxLineSize) {
          const skip = await this.skipLine(pos + bytesRead);
          if (skip === null) break;
          onTooLong(skip - pos);
          pos = skip;
          continue;
        }
        this.buffer = Buffer.allocUnsafe(buf.length * 2);
        continue;
      }
      pos += start;
      if (bytesRead < buf.length) break;
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
