import { RUBY_FLOAT_KEYS, rubyNumberToS, type MarkedRecord } from './ruby-float.ts';

/**
 * Ruby's `to_s` and `inspect` of record values, for the formatters and placeholders that print them the way
 * Fluentd does (hash, ltsv, tsv, csv, single_value, record_transformer). Hash#inspect follows Ruby 3.4, the Ruby
 * of Fluentd 1.19 packages: `{"a" => 1}` (Ruby <= 3.3 wrote `{"a"=>1}`).
 */
export function rubyToS(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return rubyInspect(value);
}

export function rubyInspect(value: unknown, asFloat = false): string {
  switch (typeof value) {
    case 'string':
      return inspectString(value);
    case 'number':
      return rubyNumberToS(value, asFloat);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'nil';
    default:
      break;
  }
  if (value === null) return 'nil';
  if (Array.isArray(value)) return `[${value.map((v) => rubyInspect(v)).join(', ')}]`;
  if (Buffer.isBuffer(value)) return inspectString(value.toString('latin1'));
  const record = value as MarkedRecord;
  const floats = record[RUBY_FLOAT_KEYS];
  const parts: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    parts.push(`${inspectString(k)} => ${rubyInspect(v, floats?.includes(k) ?? false)}`);
  }
  return `{${parts.join(', ')}}`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\v': '\\v',
  '\b': '\\b', '\x07': '\\a', '\x1b': '\\e',
};
// Characters String#inspect escapes: quote, backslash, `#` before `{ $ @` (interpolation), and what Onigmo does not
// call printable (controls, unassigned, surrogates, line/paragraph separators).
const NEEDS_ESCAPE = /["\\]|#(?=[{$@])|[\p{Cc}\p{Cn}\p{Cs}\u2028\u2029]/gu;

function inspectString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, escapeChar)}"`;
}

function escapeChar(ch: string): string {
  const simple = SIMPLE_ESCAPES[ch];
  if (simple) return simple;
  if (ch === '#') return '\\#';
  const code = ch.codePointAt(0)!;
  return code < 0x10000 ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : `\\u{${code.toString(16).toUpperCase()}}`;
}
