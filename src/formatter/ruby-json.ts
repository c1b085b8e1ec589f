import { RUBY_FLOAT_KEYS, rubyNumberToS, type MarkedRecord } from './ruby-float.ts';

/**
 * Ruby's JSON.generate (and Oj in compat mode, as Fluentd configures it) for a record. JSON.stringify already
 * writes the same bytes for strings (control characters as \b \f \n \r \t or lowercase \u00xx, `/`, U+2028 and
 * non-ASCII unescaped), key order and integers; the two differ only on numbers Ruby prints as Floats. So the hot path
 * is JSON.stringify plus three substring searches on its output, and the rare record with such a number is written
 * again by `generateSlow`.
 */
export function rubyJsonGenerate(record: Record<string, unknown>): string {
  let out: string;
  try {
    out = JSON.stringify(record);
  } catch {
    return generateSlow(record); // a BigInt (<inject> time_type unixtime_nanos), which Ruby prints as an Integer
  }
  if ((record as MarkedRecord)[RUBY_FLOAT_KEYS] === undefined && !mayHoldFloatNotation(out)) return out;
  return generateSlow(record);
}

/**
 * True when the JSON text may hold a number JS and Ruby print differently: an exponent (`1e-7`, `1e+21`) or a value
 * below 1e-4 written out (`0.00001`, Ruby `1.0e-05`). A string value containing such text only costs the slow path.
 */
function mayHoldFloatNotation(json: string): boolean {
  return hasAfter(json, 'e-', isDigit) || hasAfter(json, 'e+', isDigit) || hasAfter(json, '0.0000', isValueStart);
}

function hasAfter(json: string, needle: string, before: (code: number) => boolean): boolean {
  for (let i = json.indexOf(needle); i !== -1; i = json.indexOf(needle, i + 1)) {
    if (i > 0 && before(json.charCodeAt(i - 1))) return true;
  }
  return false;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
// `:` `,` `[` `-` precede a number; inside a string `0.0000` follows some other character.
const isValueStart = (c: number) => c === 58 || c === 44 || c === 91 || c === 45;

function generateSlow(record: Record<string, unknown>): string {
  const floats = (record as MarkedRecord)[RUBY_FLOAT_KEYS];
  let out = '{';
  let first = true;
  for (const key of Object.keys(record)) {
    const value = record[key];
    const text = typeof value === 'number' && floats?.includes(key) ? numberJson(value, true) : valueJson(value);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/** Like JSON.stringify of one value, except for Ruby's number notation; undefined for what JSON.stringify omits. */
function valueJson(value: unknown): string | undefined {
  if (typeof value === 'number') return numberJson(value, false);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => valueJson(v) ?? 'null').join(',')}]`;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const text = valueJson(v);
      if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

function numberJson(value: number, asFloat: boolean): string {
  // Ruby's generator refuses NaN/Infinity; JSON.stringify's null keeps the line parseable.
  return Number.isFinite(value) ? rubyNumberToS(value, asFloat) : 'null';
}
