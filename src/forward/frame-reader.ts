import { scanObject } from './frame-scanner.ts';

/**
 * Cuts a byte stream into whole msgpack objects. Received pieces are kept as a list and joined only once the scanner
 * says enough bytes are there, so a large frame arriving in many reads is copied once, not once per read.
 */
export class FrameReader {
  private pieces: Buffer[] = [];
  private length = 0;
  /** Bytes needed before scanning again is worth it. */
  private need = 0;

  /** Bytes received that are not yet a whole frame. */
  get pending(): number {
    return this.length;
  }

  push(data: Buffer): void {
    this.pieces.push(data);
    this.length += data.length;
  }

  /** The next whole frame, or null until more bytes arrive. Throws InvalidMsgpackError on bytes msgpack never has. */
  next(): Buffer | null {
    if (this.length === 0 || this.length < this.need) return null;
    const buf = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.length);
    this.pieces = [buf];
    const result = scanObject(buf, 0);
    if (result.end === undefined) {
      this.need = result.need;
      return null;
    }
    this.need = 0;
    const frame = buf.subarray(0, result.end);
    const rest = buf.subarray(result.end);
    this.pieces = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return frame;
  }
}
