import { rubyFloatToS } from '../formatter/ruby-float.ts';
import { readEmbedded } from './embedded.ts';
import type { EmbedContext } from './embedded.ts';
import type { Scanner } from './scanner.ts';

/**
 * A parameter value that starts with `[` or `{` is JSON that may span lines (literal_parser.rb#scan_json).
 * Fluentd re-parses the text after every character until it forms a complete value; this reader gets the same
 * answers from one pass of a pushdown automaton:
 * - `//` and `/* *\/` comments are JSON whitespace (Fluentd parses with allow_comments);
 * - a `#` is a comment to the end of the line only where Fluentd's test "would the text so far, without one
 *   trailing comma on the current line, close with one bracket" holds: directly inside the outer container,
 *   after its opening bracket or a complete element;
 * - any other `#{...}` is replaced by its embedded value as raw JSON text (inside strings, that interpolates);
 * - trailing commas are errors, duplicate keys keep the last value at the first key's place.
 * The result is compact JSON as Ruby's JSON.dump writes it (floats in Ruby's notation).
 */

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const INTERPOLATION = /#\{[^}]+\}/y;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

type Frame = { array: true; items: string[] } | { array: false; entries: Map<string, string>; key: string };
type Mode = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose';
type Token = 'none' | 'string' | 'number' | 'literal' | 'slash' | 'lineComment' | 'blockComment';

class JsonAutomaton {
  result: string | null = null;
  private readonly stack: Frame[];
  private mode: Mode;
  private token: Token = 'none';
  private text = '';
  private stringIsKey = false;
  /** 0: none, 1: after a backslash, 2-5: reading the hex digits of \uXXXX. */
  private escape = 0;
  private hex = '';
  private starSeen = false;
  /** A comma is the last thing on the current line (Fluentd drops it before its "does it close" test). */
  private commaEndsLine = false;

  constructor(
    private readonly s: Scanner,
    readonly isArray: boolean,
  ) {
    this.stack = [isArray ? { array: true, items: [] } : { array: false, entries: new Map(), key: '' }];
    this.mode = isArray ? 'valueOrClose' : 'keyOrClose';
  }

  fail(detail: string): never {
    this.s.fail(`got incomplete JSON ${this.isArray ? 'array' : 'hash'} configuration: ${detail}`, Math.max(this.s.pos - 1, 0));
  }

  /** Whether a `#` here starts a comment, by Fluentd's test (see the file comment). */
  hashStartsComment(): boolean {
    if (this.stack.length !== 1) return false;
    if (this.token === 'number') return NUMBER.test(this.text);
    if (this.token !== 'none') return false;
    if (this.mode === 'valueOrClose' || this.mode === 'keyOrClose' || this.mode === 'commaOrClose') return true;
    return (this.mode === 'value' || this.mode === 'key') && this.commaEndsLine;
  }

  feed(c: string): void {
    switch (this.token) {
      case 'string':
        return this.feedString(c);
      case 'literal':
        return this.feedLiteral(c);
      case 'lineComment':
        if (c === '\n') this.token = 'none';
        return;
      case 'blockComment':
        if (this.starSeen && c === '/') this.token = 'none';
        this.starSeen = c === '*';
        return;
      case 'slash':
        if (c === '/') this.token = 'lineComment';
        else if (c === '*') {
          this.token = 'blockComment';
          this.starSeen = false;
        } else this.fail(`unexpected '/${c}'`);
        return;
      case 'number':
        if (/[0-9+\-.eE]/.test(c)) {
          this.text += c;
          return;
        }
        this.endNumber();
        break;
      case 'none':
        break;
    }
    this.feedStructure(c);
  }

  private feedStructure(c: string): void {
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (c === '\n') this.commaEndsLine = false;
      return;
    }
    this.commaEndsLine = false;
    if (c === '/') {
      this.token = 'slash';
      return;
    }
    const top = this.stack[this.stack.length - 1]!;
    switch (this.mode) {
      case 'valueOrClose':
        if (c === ']') return this.close();
      // falls through
      case 'value':
        return this.startValue(c);
      case 'keyOrClose':
        if (c === '}') return this.close();
      // falls through
      case 'key':
        if (c === '}' && this.mode === 'key') this.fail('trailing comma');
        if (c !== '"') this.fail(`expected a string key but got '${c}'`);
        this.startString(true);
        return;
      case 'colon':
        if (c !== ':') this.fail(`expected ':' but got '${c}'`);
        this.mode = 'value';
        return;
      case 'commaOrClose':
        if (c === ',') {
          this.mode = top.array ? 'value' : 'key';
          this.commaEndsLine = true;
        } else if (c === (top.array ? ']' : '}')) this.close();
        else this.fail(`expected ',' or '${top.array ? ']' : '}'}' but got '${c}'`);
        return;
    }
  }

  private startValue(c: string): void {
    if (c === '"') this.startString(false);
    else if (c === '[') {
      this.stack.push({ array: true, items: [] });
      this.mode = 'valueOrClose';
    } else if (c === '{') {
      this.stack.push({ array: false, entries: new Map(), key: '' });
      this.mode = 'keyOrClose';
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      this.token = 'number';
      this.text = c;
    } else if (LITERALS[c] !== undefined) {
      this.token = 'literal';
      this.text = c;
    } else if (this.mode === 'value' && (c === ']' || c === '}')) this.fail('trailing comma');
    else this.fail(`unexpected '${c}'`);
  }

  private startString(isKey: boolean): void {
    this.token = 'string';
    this.stringIsKey = isKey;
    this.text = '';
    this.escape = 0;
  }

  private feedString(c: string): void {
    if (this.escape === 1) {
      const simple = SIMPLE_ESCAPES[c];
      if (simple !== undefined) {
        this.text += simple;
        this.escape = 0;
      } else if (c === 'u') {
        this.escape = 2;
        this.hex = '';
      } else this.fail(`invalid escape '\\${c}' in a string`);
    } else if (this.escape >= 2) {
      if (!/[0-9a-fA-F]/.test(c)) this.fail(`invalid \\u escape in a string`);
      this.hex += c;
      if (++this.escape === 6) {
        this.text += String.fromCharCode(parseInt(this.hex, 16));
        this.escape = 0;
      }
    } else if (c === '"') {
      this.token = 'none';
      if (this.stringIsKey) {
        (this.stack[this.stack.length - 1] as { key: string }).key = this.text;
        this.mode = 'colon';
      } else this.addValue(JSON.stringify(this.text));
    } else if (c === '\\') this.escape = 1;
    else if (c < ' ') this.fail('control character in a string (a string cannot span lines)');
    else this.text += c;
  }

  private feedLiteral(c: string): void {
    this.text += c;
    const word = LITERALS[this.text[0]!]!;
    if (!word.startsWith(this.text)) this.fail(`unexpected '${this.text}'`);
    if (word.length === this.text.length) {
      this.token = 'none';
      this.addValue(word);
    }
  }

  private endNumber(): void {
    const text = this.text;
    this.token = 'none';
    if (!NUMBER.test(text)) this.fail(`invalid number '${text}'`);
    if (!/[.eE]/.test(text)) return this.addValue(BigInt(text).toString());
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(`number out of range '${text}'`);
    this.addValue(rubyFloatToS(value));
  }

  private addValue(json: string): void {
    const top = this.stack[this.stack.length - 1]!;
    if (top.array) top.items.push(json);
    else top.entries.set(top.key, json);
    this.mode = 'commaOrClose';
  }

  private close(): void {
    const frame = this.stack.pop()!;
    const json = frame.array
      ? `[${frame.items.join(',')}]`
      : `{${Array.from(frame.entries, ([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    if (this.stack.length === 0) this.result = json;
    else this.addValue(json);
  }
}

/**
 * Reads a JSON value whose opening bracket the scanner has just passed, through its closing bracket, and
 * returns it as compact JSON. `ctx` null: embedded code is refused (used to test whether text re-reads as itself).
 */
export function scanJson(s: Scanner, isArray: boolean, ctx: EmbedContext | null): string {
  const start = s.pos - 1;
  const json = new JsonAutomaton(s, isArray);
  const text = s.text;
  while (json.result === null) {
    const c = text[s.pos];
    if (c === undefined) {
      s.fail(`got incomplete JSON ${isArray ? 'array' : 'hash'} configuration (no closing '${isArray ? ']' : '}'}')`, start);
    }
    if (c === '#') {
      if (json.hashStartsComment()) {
        const eol = text.indexOf('\n', s.pos);
        s.pos = eol === -1 ? text.length : eol + 1;
        json.feed('\n');
        continue;
      }
      if (s.check(INTERPOLATION) !== null) {
        if (ctx === null) s.fail('embedded code is not allowed here');
        s.pos += 2;
        feedEmbedded(s, json, ctx);
        continue;
      }
    }
    s.pos++;
    json.feed(c);
  }
  return json.result;
}

function feedEmbedded(s: Scanner, json: JsonAutomaton, ctx: EmbedContext): void {
  const at = s.pos;
  const value = readEmbedded(s, ctx);
  if (typeof value !== 'string') s.fail('#{use_nil} and #{use_default} cannot be used inside a JSON value', at);
  for (let i = 0; i < value.length; i++) {
    if (json.result !== null) s.fail('embedded value runs past the end of the JSON value', at);
    json.feed(value[i]!);
  }
}
