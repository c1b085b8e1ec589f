import { ConfigError } from '../plugin-api/index.ts';

type Key = string | number;

/**
 * Fluentd's record_accessor: a plain key, or `$.a.b[0]` / `$['a']["b"][0]` for nested values. Parsed once at
 * configure time; `get`/`delete`/`set` are then plain property walks.
 */
export interface RecordAccessor {
  readonly keys: readonly Key[];
  readonly nested: boolean;
  get(record: Record<string, unknown>): unknown;
  delete(record: Record<string, unknown>): void;
  set(record: Record<string, unknown>, value: unknown): void;
}

/** Fluentd's record_accessor_nested?: the parameter uses `$.` or `$[` syntax. */
export function isNestedAccessor(param: string): boolean {
  return param.startsWith('$.') || param.startsWith('$[');
}

export function createRecordAccessor(param: string): RecordAccessor {
  const keys = parseAccessor(param);
  if (keys.length === 1) {
    const key = keys[0]!;
    return {
      keys, nested: false,
      get: (r) => (r as Record<Key, unknown>)[key],
      delete: (r) => { delete (r as Record<Key, unknown>)[key]; },
      set: (r, v) => { (r as Record<Key, unknown>)[key] = v; },
    };
  }
  const parentKeys = keys.slice(0, -1);
  const last = keys[keys.length - 1]!;
  return {
    keys, nested: true,
    get: (r) => dig(r, keys),
    delete(r) {
      const parent = dig(r, parentKeys);
      if (Array.isArray(parent) && typeof last === 'number') {
        const i = last < 0 ? parent.length + last : last;
        if (i >= 0 && i < parent.length) parent.splice(i, 1);
      } else if (isHash(parent) && typeof last === 'string') {
        delete parent[last];
      }
    },
    set(r, v) {
      const parent = dig(r, parentKeys);
      if (Array.isArray(parent) && typeof last === 'number') parent[last < 0 ? parent.length + last : last] = v;
      else if (isHash(parent) && typeof last === 'string') parent[last] = v;
    },
  };
}

/** Ruby's Hash#dig/Array#dig: string keys step into hashes, integers (negative from the end) into arrays. */
function dig(record: unknown, keys: readonly Key[]): unknown {
  let v: unknown = record;
  for (const k of keys) {
    if (typeof k === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[k < 0 ? v.length + k : k];
    } else {
      if (!isHash(v)) return undefined;
      v = v[k];
    }
  }
  return v;
}

function isHash(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** The key path of an accessor parameter, with Fluentd's syntax errors. */
export function parseAccessor(param: string): Key[] {
  if (param.startsWith('$.')) return parseDotNotation(param);
  if (param.startsWith('$[')) return parseBracketNotation(param);
  return [param];
}

function parseDotNotation(param: string): Key[] {
  const result: Key[] = [];
  const parts = param.slice(2).split('.');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // as Ruby's String#split
  for (const part of parts) {
    if (part.includes('[')) result.push(...parseDotArrayOp(part, param));
    else result.push(part);
  }
  if (result.length === 0) throw new ConfigError('empty keys in dot notation');
  for (const key of result) {
    if (typeof key === 'string' && /\s/.test(key)) {
      throw new ConfigError(`whitespace character is not allowed in dot notation. Use bracket notation: ${key}`);
    }
  }
  return result;
}

function parseDotArrayOp(part: string, param: string): Key[] {
  const start = part.indexOf('[');
  const result: Key[] = start === 0 ? [] : [part.slice(0, start)];
  let rest = part.slice(start + 1);
  let inBracket = true;
  while (rest.length > 0) {
    if (inBracket) {
      const i = rest.indexOf(']');
      if (i === -1) throw new ConfigError(`'[' found but ']' not found. Invalid syntax: ${param}`);
      result.push(arrayIndex(rest.slice(0, i), param));
      rest = rest.slice(i + 1);
      inBracket = false;
    } else {
      const i = rest.indexOf('[');
      if (i === -1) throw new ConfigError(`found more characters after ']'. Invalid syntax: ${param}`);
      rest = rest.slice(i + 1);
      inBracket = true;
    }
  }
  return result;
}

function parseBracketNotation(param: string): Key[] {
  const result: Key[] = [];
  let rest = param.slice(1);
  let inBracket = false;
  while (rest.length > 0) {
    if (inBracket) {
      if (rest[0] === "'" || rest[0] === '"') {
        let i = rest.indexOf("']");
        if (i === -1) i = rest.indexOf('"]');
        if (i === -1) throw new ConfigError(`Incomplete bracket. Invalid syntax: ${param}`);
        if (rest[0] !== rest[i]) throw new ConfigError(`Mismatched quotes. Invalid syntax: ${param}`);
        result.push(rest.slice(1, i));
        rest = rest.slice(i + 2);
      } else {
        const i = rest.indexOf(']');
        if (i === -1) throw new ConfigError(`'[' found but ']' not found. Invalid syntax: ${param}`);
        result.push(arrayIndex(rest.slice(0, i), param));
        rest = rest.slice(i + 1);
      }
      inBracket = false;
    } else {
      const i = rest.indexOf('[');
      if (i === -1) throw new ConfigError(`found more characters after ']'. Invalid syntax: ${param}`);
      rest = rest.slice(i + 1);
      inBracket = true;
    }
  }
  if (result.length === 0) throw new ConfigError('empty keys in bracket notation');
  return result;
}

function arrayIndex(text: string, param: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new ConfigError(`invalid array index '${text}'. Invalid syntax: ${param}`);
  return Number(text);
}
