import { rubyToS } from '../formatter/ruby-inspect.ts';

/**
 * Ruby's conversions of record values (to_i, to_f, class name, chomp), as Fluentd's `types` converters and its
 * error messages apply them (to_s and inspect live with the formatters). A JavaScript number that is integral is
 * taken as a Ruby Integer, since JSON parsing has already erased the difference between `1` and `1.0`.
 */

const INTEGER_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)/;
const FLOAT_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?(?:[eE]([+-]?\d+(?:_\d+)*))?/;

export function rubyClassName(value: unknown): string {
  if (typeof value === 'string') return 'String';
  if (value === null || value === undefined) return 'NilClass';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Float';
  if (typeof value === 'bigint') return 'Integer';
  if (value === true) return 'TrueClass';
  if (value === false) return 'FalseClass';
  if (Array.isArray(value)) return 'Array';
  return 'Hash';
}

/** String#to_i: leading whitespace, a sign, digits with single underscores; anything else ends it (0 if none). */
export function rubyStringToI(text: string): number {
  const m = INTEGER_PREFIX.exec(text);
  if (!m) return 0;
  const n = Number(m[2]!.replaceAll('_', ''));
  return m[1] === '-' ? -n : n;
}

/** String#to_f: a decimal prefix (digits, fraction, exponent, underscores between digits); 0 if none. */
export function rubyStringToF(text: string): number {
  const m = FLOAT_PREFIX.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined)) return 0;
  const literal = `${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] !== undefined ? `e${m[4]}` : ''}`.replaceAll('_', '');
  const n = Number(literal);
  return m[1] === '-' ? -n : n;
}

/** `v.to_i rescue v.to_s.to_i` */
export function rubyToI(value: unknown): number {
  if (typeof value === 'string') return rubyStringToI(value);
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  return rubyStringToI(rubyToS(value));
}

/** `v.to_f rescue v.to_s.to_f` */
export function rubyToF(value: unknown): number {
  if (typeof value === 'string') return rubyStringToF(value);
  if (typeof value === 'number') return value;
  return rubyStringToF(rubyToS(value));
}

/** String#chomp without arguments: removes one trailing \r\n, \n or \r. */
export function rubyChomp(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  if (last === 10) return text.charCodeAt(text.length - 2) === 13 ? text.slice(0, -2) : text.slice(0, -1);
  if (last === 13) return text.slice(0, -1);
  return text;
}

/** String#squeeze(' '): runs of spaces become one. */
export function squeezeSpaces(text: string): string {
  return text.replace(/ {2,}/g, ' ');
}
