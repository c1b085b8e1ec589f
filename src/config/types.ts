import { rubySplit } from '../parser/ruby-split.ts';
import { setOwnProperty } from '../parser/own-property.ts';
import { rubyStringToF, rubyStringToI } from '../parser/ruby-values.ts';

/**
 * Fluentd's parameter value conversions (lib/fluent/config/types.rb), as pure functions of the string the config
 * parser produced. They throw a plain Error naming the bad value; the caller adds file, line, section and
 * parameter.
 *
 * Deliberate difference: Fluentd without strict_config_value turns garbage into 0 or nil silently (`"hoge"` as
 * integer is 0, `"TRUE"` as bool is nil, `"1x"` is 1). Here garbage is an error, as a typo in a config should be.
 * What Ruby's `to_i`/`to_f` read from a well-formed number is kept: `1_000` is 1000 and `1.0` or `1.9` as an
 * integer is 1 (truncated, as to_i does), while `0x10` and `1e3` are refused as integers (to_i would read 0 and 1).
 */

const INTEGER = /^\s*[+-]?\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?\s*$/;
const FLOAT = /^\s*[+-]?(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+)?\s*$/;
const SIZE_UNITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/([0-9]+)k/i, 1024],
  [/([0-9]+)m/i, 1024 ** 2],
  [/([0-9]+)g/i, 1024 ** 3],
  [/([0-9]+)t/i, 1024 ** 4],
];
const TIME_UNITS: ReadonlyArray<readonly [RegExp, number]> = [
  [/([0-9]+)s/, 1],
  [/([0-9]+)m/, 60],
  [/([0-9]+)h/, 60 * 60],
  [/([0-9]+)d/, 24 * 60 * 60],
];
const LIST_SEPARATOR = /\s*,\s*/;

/** Element types an array or hash parameter may coerce its values to (`value_type`). */
export type ValueType = 'string' | 'integer' | 'float' | 'size' | 'bool' | 'time';

export function toStringValue(value: string): string {
  return value;
}

export function toInteger(value: string): number {
  if (!INTEGER.test(value)) throw new Error(`invalid integer ${JSON.stringify(value)}`);
  return rubyStringToI(value);
}

export function toFloat(value: string): number {
  if (!FLOAT.test(value)) throw new Error(`invalid float ${JSON.stringify(value)}`);
  return rubyStringToF(value);
}

/**
 * Bytes. As in Fluentd, the first unit that appears anywhere wins, checked in the order k, m, g, t,
 * case-insensitively and unanchored (`4k` = 4096, `1.5m` reads `5m`); without a unit, an integer.
 */
export function toSize(value: string): number {
  return withUnit(value, SIZE_UNITS) ?? toInteger(value);
}

/** Seconds. Units s, m, h, d, case-sensitive and unanchored like size (`10sec` = 10); without one, a float. */
export function toTime(value: string): number {
  return withUnit(value, TIME_UNITS) ?? toFloat(value);
}

function withUnit(value: string, units: ReadonlyArray<readonly [RegExp, number]>): number | null {
  for (const [re, factor] of units) {
    const m = re.exec(value);
    if (m !== null) return Number(m[1]) * factor;
  }
  return null;
}

/**
 * true/yes and false/no (case-sensitive). "" is true (a bare `key` line), and so is a value starting with `#`:
 * `key # comment` reaches the plugin as "# comment", and Fluentd reads that as a bare key.
 */
export function toBool(value: string): boolean {
  switch (value) {
    case 'true':
    case 'yes':
    case '':
      return true;
    case 'false':
    case 'no':
      return false;
    default:
      if (value.startsWith('#')) return true;
      throw new Error(`invalid bool value ${JSON.stringify(value)} (use true, false, yes or no)`);
  }
}

export function toEnum<const V extends string>(value: string, list: readonly V[]): V {
  if (!(list as readonly string[]).includes(value)) throw new Error(`valid options are ${list.join(',')} but got ${value}`);
  return value as V;
}

/** A JSON array if the value starts with `[`, else a list split on commas (`a a, b` is ["a a", "b"]). */
export function toArray(value: string, valueType?: ValueType): unknown[] {
  const list: unknown = value.startsWith('[') ? parseJson(value, 'array') : rubySplit(value.trim(), LIST_SEPARATOR);
  if (!Array.isArray(list)) throw new Error(`array required but got ${JSON.stringify(value)}`);
  return valueType === undefined ? list : list.map((item) => coerce(item, valueType));
}

/**
 * A JSON object if the value starts with `{`, else `k:v,k2:v2`, each pair split at its first colon
 * (`x:v:v` is {"x": "v:v"}); spaces around the colon stay part of key and value, as in Fluentd.
 */
export function toHash(value: string, valueType?: ValueType): Record<string, unknown> {
  let hash: unknown;
  if (value.startsWith('{')) {
    hash = parseJson(value, 'hash');
  } else {
    const pairs: Record<string, string> = {};
    for (const pair of rubySplit(value.trim(), LIST_SEPARATOR)) {
      const colon = pair.indexOf(':');
      if (colon === -1) throw new Error(`invalid hash ${JSON.stringify(value)}: ${JSON.stringify(pair)} is not key:value`);
      setOwnProperty(pairs, pair.slice(0, colon), pair.slice(colon + 1));
    }
    hash = pairs;
  }
  if (hash === null || typeof hash !== 'object' || Array.isArray(hash)) {
    throw new Error(`hash required but got ${JSON.stringify(value)}`);
  }
  if (valueType === undefined) return hash as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hash)) setOwnProperty(out, k, coerce(v, valueType));
  return out;
}

/** A Ruby regexp literal `/body/flags` (flags i and m, at most two characters), or a bare body. */
export function toRegexpSource(value: string): { source: string; flags: string } {
  if (!value.startsWith('/')) return { source: value, flags: '' };
  const right = value.lastIndexOf('/');
  if (right < value.length - 3) throw new Error(`invalid regexp: missing right slash: ${value}`);
  const flags = value.slice(right + 1);
  // Fluentd ignores option letters other than i and m; a stray letter is more likely a broken pattern.
  if (!/^[im]*$/.test(flags)) throw new Error(`invalid regexp: unknown option ${JSON.stringify(flags)}: ${value}`);
  return { source: value.slice(1, right), flags };
}

function parseJson(value: string, kind: string): unknown {
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`invalid JSON ${kind} ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}

/** A `value_type` conversion of one element (REFORMAT_VALUE): JSON numbers and booleans go through their text. */
function coerce(item: unknown, type: ValueType): unknown {
  if (item === null) return null;
  if (type === 'string') return typeof item === 'string' ? item : JSON.stringify(item);
  if (typeof item === 'number' && (type === 'integer' || type === 'float')) return type === 'integer' ? Math.trunc(item) : item;
  if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
    throw new Error(`cannot convert ${JSON.stringify(item)} to ${type}`);
  }
  const text = String(item);
  switch (type) {
    case 'integer':
      return toInteger(text);
    case 'float':
      return toFloat(text);
    case 'size':
      return toSize(text);
    case 'bool':
      return toBool(text);
    case 'time':
      return toTime(text);
  }
}
