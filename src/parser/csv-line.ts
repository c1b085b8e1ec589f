import { ForeignParseError } from './errors.ts';
import { rubyChomp } from './ruby-values.ts';
import type { Splitter } from './ruby-split.ts';

const QUOTE = '"';

/**
 * Ruby's `CSV.parse_line(text, col_sep:)` (Fluentd's csv parser, engine `normal`): RFC 4180 quoting with `""`
 * escapes, the row separator detected from the text, only the first row returned. An unquoted empty field is null,
 * a quoted one "". Returns null for empty text (Fluentd yields no record). Malformed input throws with the csv gem's
 * messages.
 */
export function parseCsvLine(text: string, colSep: string): Array<string | null> | null {
  if (text.length === 0) return null;
  const rowSep = detectRowSeparator(text);
  const row: Array<string | null> = [];
  let p = 0;
  if (text.startsWith(rowSep, 0)) return row;
  for (;;) {
    if (text.charCodeAt(p) === 34) {
      // quoted field
      let value = '';
      let q = p + 1;
      for (;;) {
        const close = text.indexOf(QUOTE, q);
        if (close < 0) throw new ForeignParseError('Unclosed quoted field in line 1.');
        value += text.slice(q, close);
        if (text.charCodeAt(close + 1) === 34) {
          value += QUOTE;
          q = close + 2;
          continue;
        }
        p = close + 1;
        break;
      }
      row.push(value);
      if (p >= text.length || text.startsWith(rowSep, p)) return row;
      if (!text.startsWith(colSep, p)) throw new ForeignParseError("Any value after quoted field isn't allowed in line 1.");
      p += colSep.length;
      continue;
    }
    // unquoted field: up to the next column or row separator
    let end = p;
    while (end < text.length && !text.startsWith(colSep, end) && !text.startsWith(rowSep, end)) {
      const c = text.charCodeAt(end);
      if (c === 34) throw new ForeignParseError('Illegal quoting in line 1.');
      if (c === 13 || c === 10) {
        throw new ForeignParseError(`Unquoted fields do not allow new line <${JSON.stringify(text[end])}> in line 1.`);
      }
      end++;
    }
    row.push(end === p ? null : text.slice(p, end));
    if (end >= text.length || text.startsWith(rowSep, end)) return row;
    p = end + colSep.length;
    if (p >= text.length) {
      row.push(null);
      return row;
    }
  }
}

/** The csv gem's auto row separator: the first \r\n, \n or \r in the text (quotes not considered), else "\n". */
function detectRowSeparator(text: string): string {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr >= 0 && (lf < 0 || cr < lf)) return cr + 1 === lf ? '\r\n' : '\r';
  return '\n';
}

/**
 * Fluentd's csv engine `fast` (`parse_fast_internal`): split on the delimiter and re-join quoted columns, with its
 * exact quirks (no validation; columns beyond `keys` land under the key "" — Ruby's nil key).
 */
export function parseCsvFast(text: string, keys: readonly string[], delimiter: string, splitter: Splitter): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const line = rubyChomp(text);
  if (line.length === 0) return record;
  const columns = splitter.split(line, -1);
  const n = columns.length;
  let i = 0;
  let j = 0;
  while (j < n) {
    let column: string | null = columns[j]!;
    const quotes = countQuotes(column);
    if (quotes === 0) {
      if (column.length === 0) column = null;
    } else if (quotes === 1) {
      if (column.startsWith(QUOTE)) {
        const merge = [column];
        j++;
        while (j < n) {
          const next = columns[j]!;
          merge.push(next);
          if (next.endsWith(QUOTE)) break;
          j++;
        }
        column = merge.join(delimiter).slice(1, -1);
      }
    } else if (quotes === 2) {
      if (column.startsWith(QUOTE) && column.endsWith(QUOTE)) column = column.slice(1, -1);
    } else {
      if (column.startsWith(QUOTE) && column.endsWith(QUOTE)) column = column.slice(1, -1);
      column = column.replaceAll('""', QUOTE);
    }
    record[keys[i] ?? ''] = column;
    j++;
    i++;
  }
  return record;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf(QUOTE); i >= 0; i = s.indexOf(QUOTE, i + 1)) n++;
  return n;
}
