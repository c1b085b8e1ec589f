/**
 * JavaScript has one number type; Ruby has Integer and Float, and prints them differently (`1` vs `1.0`,
 * `1.0e-05`). A value that is a Ruby Float in Fluentd but integral in JS (the `<inject>` float time of an event
 * with no sub-second part) is marked by listing its top-level key under this symbol on the record. JSON.stringify
 * and msgpack ignore symbol keys, so the mark costs nothing where it is not looked at.
 */
export const RUBY_FLOAT_KEYS: unique symbol = Symbol.for('logferry.rubyFloatKeys');

export type MarkedRecord = Record<string, unknown> & { [RUBY_FLOAT_KEYS]?: readonly string[] };

/** Marks `key` of `record` as holding a Ruby Float. */
export function markRubyFloat(record: Record<string, unknown>, key: string): void {
  const marked = record as MarkedRecord;
  const keys = marked[RUBY_FLOAT_KEYS];
  marked[RUBY_FLOAT_KEYS] = keys === undefined ? [key] : keys.includes(key) ? keys : [...keys, key];
}

/** Ruby's Float#to_s: shortest round-trip digits, `.0` on integral values, exponent form below 1e-4 and from 1e16. */
export function rubyFloatToS(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const decpt = Number(exp) + 1; // position of the decimal point relative to the digits
  if (decpt < -3 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? digits.slice(1) : '0';
    return `${sign}${digits[0]}.${frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * A JS number as Ruby would print it: integral values are Integers (JSON input cannot tell 1.0 from 1), others
 * Floats; `asFloat` forces Float (a marked key).
 */
export function rubyNumberToS(value: number, asFloat: boolean): string {
  if (!asFloat && Number.isInteger(value)) {
    return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  }
  return rubyFloatToS(value);
}
