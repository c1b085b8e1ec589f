import { RUBY_FLOAT_KEYS, rubyNumberToS, type MarkedRecord } from './ruby-float.ts';

/**
 * Ruby's JSON.generate (and Oj in compat mode, as Fluentd configures it) for a record. JSON.stringify already
 * writes the same bytes for strings (control characters as \b \f \n \r \t or lowercase \u00xx, `/`, U+2028 and
 * non-ASCII unescaped), key order and integers; the two differ only on numbers Ruby prints as Floats. So the hot path
 * is JSON.stringify plus a walk over the values, and the rare record with such a number is written again by
 * `generateSlow`.
 */
export function rubyJsonGenerate(record: Record<string, unknown>): string {
  let out: string;
  try {
    out = JSON.stringify(record);
  } catch {
    return generateSlow(record); // a BigInt (<inject> time_type unixtime_nanos), which Ruby prints as an Integer
  }
  if ((record as MarkedRecord)[RUBY_FLOAT_KEYS] === undefined && !recordHoldsRubyNotation(record)) return out;
  return generateSlow(record);
}

/** holdsRubyNotation of a record, with its string values (nearly all of a parsed log line) skipped without a call. */
function recordHoldsRubyNotation(record: Record<string, unknown>): boolean {
  for (const key in record) {
    const value = record[key];
    if (typeof value !== 'string' && holdsRubyNotation(value)) return true;
  }
  return false;
}

/**
 * True when a number in the value prints differently in Ruby: a Float below 1e-4 or from 1e16 (exponent form in
 * Ruby, not in JS or the other way round), or an integer from 1e21 (JS switches to exponent form). A walk over the
 * values costs less than searching the JSON text for such numbers.
 */
function holdsRubyNotation(value: unknown): boolean {
  if (typeof value === 'number') {
    const a = Math.abs(value);
    return Number.isInteger(value) ? a >= 1e21 : a < 1e-4 || a >= 1e16;
  }
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (holdsRubyNotation(value[i])) return true;
    return false;
  }
  for (const key in value) if (holdsRubyNotation((value as Record<string, unknown>)[key])) return true;
  return false;
}

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
