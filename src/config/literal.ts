import { readEmbedded, USE_NIL } from './embedded.ts';
import type { EmbedContext, EmbeddedValue } from './embedded.ts';
import { LINE_END, SPACING } from './scanner.ts';
import type { Scanner } from './scanner.ts';

/**
 * Strings as Fluentd's literal_parser.rb reads them: unquoted (up to a boundary), double-quoted (escapes,
 * line breaks, embedded `#{...}`) and single-quoted (only \' and \\ escape).
 */

/**
 * An unquoted run: Fluentd takes `#` unconditionally and any other character (but "\n") while the boundary
 * does not match there, which is why `a#b` keeps its `#` but `a #b` ends at the space.
 */
function unquotedRun(boundary: string): RegExp {
  return new RegExp(`(?:#|(?!${boundary})[^\\n])+`, 'y');
}

/** A parameter value runs to the end of the line or to whitespace before a `#` comment; trailing blanks drop. */
export const VALUE_RUN = unquotedRun(LINE_END.source);
/** A parameter name runs to whitespace. */
export const KEY_RUN = unquotedRun(SPACING.source);
/** A section argument runs to the `>` (blanks and comments before the `>` are not part of it). */
export const ARG_RUN = unquotedRun(String.raw`(?:[ \t\r\n]|$|#[^\n]*?(?:$|[\r\n]))*>`);

/** A quoted string if the scanner stands at a quote, else an unquoted run (null when empty). */
export function scanString(s: Scanner, run: RegExp, ctx: EmbedContext): EmbeddedValue | null {
  const quote = s.peek();
  if (quote === '"') {
    s.pos++;
    return scanDoubleQuoted(s, ctx);
  }
  if (quote === "'") {
    s.pos++;
    return scanSingleQuoted(s);
  }
  return s.scan(run);
}

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", r: '\r', n: '\n', t: '\t', f: '\f', b: '\b', '0': '\0' };

function escapedChar(s: Scanner, c: string): string {
  const known = ESCAPES[c];
  if (known !== undefined) return known;
  if (/[a-zA-Z0-9]/.test(c)) s.fail(`unexpected back-slash escape character '${c}'`);
  return c;
}

function isLineBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

/** After the opening `"`. A `#{use_nil}` / `#{use_default}` anywhere makes the whole value that marker. */
function scanDoubleQuoted(s: Scanner, ctx: EmbedContext): EmbeddedValue {
  const text = s.text;
  const opening = s.pos - 1;
  let out = '';
  let marker: EmbeddedValue | null = null;
  for (;;) {
    const c = text[s.pos];
    if (c === '"') {
      s.pos++;
      return marker ?? out;
    }
    // Reported where the string opened: that is where the missing quote belongs.
    if (c === undefined) s.fail('unexpected end of file in a double quoted string', opening);
    const next = text[s.pos + 1];
    if (next === undefined || isLineBreak(next)) {
      // Fluentd takes a character together with the line break after it; a backslash there joins the lines.
      if (c !== '\\') out += next === undefined ? c : c + next;
      s.pos += next === undefined ? 1 : 2;
    } else if (c === '\\') {
      out += escapedChar(s, next);
      s.pos += 2;
    } else if (c === '#' && next === '{') {
      s.pos += 2;
      const value = readEmbedded(s, ctx);
      if (typeof value === 'string') out += value;
      else if (marker === null || value === USE_NIL) marker = value; // nil wins over default, as in Fluentd
    } else if (c === '\n') {
      s.fail('unexpected line break in a double quoted string (a blank line cannot start inside quotes)');
    } else {
      out += c;
      s.pos++;
    }
  }
}

/** After the opening `'`. */
function scanSingleQuoted(s: Scanner): string {
  const text = s.text;
  const opening = s.pos - 1;
  let out = '';
  for (;;) {
    const c = text[s.pos];
    if (c === "'") {
      s.pos++;
      return out;
    }
    if (c === undefined || c === '\n') s.fail('unexpected end of line in a single quoted string', opening);
    const next = text[s.pos + 1];
    if (c === '\\' && (next === "'" || next === '\\')) {
      out += next;
      s.pos += 2;
    } else {
      out += c;
      s.pos++;
    }
  }
}
