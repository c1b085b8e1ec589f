/**
 * A cursor over config text with Ruby StringScanner's skip/scan/check, driven by sticky regexes, so the grammar
 * can be written with the same token patterns as Fluentd's basic_parser.rb. It also turns offsets into line
 * numbers without rescanning from the top for every lookup.
 */
import { ConfigError } from './errors.ts';

export class Scanner {
  pos = 0;
  /** The text of the last successful match (StringScanner#[0]); null after a failed one. */
  lastMatch: string | null = null;
  private lineCursor = 0;
  private lineAtCursor = 1;

  /** `file` names the text in error messages. */
  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  /** A ConfigError at the line of `offset` (default: the cursor). */
  fail(message: string, offset = this.pos): never {
    throw new ConfigError(message, { location: { file: this.file, line: this.lineOf(offset) } });
  }

  eos(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  /** Advances over a match of `re` (which must be sticky) at the cursor; returns its length or null. */
  skip(re: RegExp): number | null {
    const m = this.exec(re);
    if (m === null) return null;
    this.pos += m.length;
    return m.length;
  }

  scan(re: RegExp): string | null {
    const m = this.exec(re);
    if (m !== null) this.pos += m.length;
    return m;
  }

  check(re: RegExp): string | null {
    return this.exec(re);
  }

  /** The match of `re` at the cursor with its groups, without advancing. */
  match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    this.lastMatch = m === null ? null : m[0];
    return m;
  }

  /** 1-based line of an offset (default: the cursor). Moving forward is incremental; moving back recounts. */
  lineOf(offset = this.pos): number {
    const target = Math.min(offset, this.text.length);
    if (target < this.lineCursor) {
      this.lineCursor = 0;
      this.lineAtCursor = 1;
    }
    let line = this.lineAtCursor;
    for (let i = this.text.indexOf('\n', this.lineCursor); i !== -1 && i < target; i = this.text.indexOf('\n', i + 1)) {
      line++;
    }
    this.lineCursor = target;
    this.lineAtCursor = line;
    return line;
  }

  private exec(re: RegExp): string | null {
    return this.match(re)?.[0] ?? null;
  }
}

// Fluentd's token patterns (basic_parser.rb). Ruby's `.` is any character but "\n" and `\z` is the end of input;
// without the `m` flag JS `$` is the end of input too.
export const LINE_END = /(?:[ \t]*(?:#[^\n]*)?(?:$|[\r\n]))+/y;
export const SPACING = /(?:[ \t\r\n]|$|#[^\n]*?(?:$|[\r\n]))+/y;
export const SPACING_WITHOUT_COMMENT = /(?:[ \t\r\n]|$)+/y;
