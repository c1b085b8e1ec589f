import type { EventRecord, Logger } from '../plugin-api/index.ts';
import { rubyToS } from '../formatter/ruby-inspect.ts';

/** What record_transformer's placeholders read for one event; one object is reused across a batch. */
export interface TemplateScope {
  tag: string;
  tagParts: string[];
  tagPrefix: string[];
  tagSuffix: string[];
  hostname: string;
  /** Ruby's Time#to_s of the event time (`2016-07-26 21:08:30 -0700`), computed only when used. */
  time: () => string;
  record: EventRecord;
}

/** A compiled `<record>` value: strings, and hashes/arrays of them, with placeholders resolved per event. */
export type Template = (scope: TemplateScope) => unknown;

const UNKNOWN = Symbol('unknown placeholder');
type Resolver = (scope: TemplateScope) => unknown;

/**
 * Which texts are placeholders, and what an unknown one does. record_transformer's PlaceholderExpander also knows
 * `__TAG__`-style names and warns about unknown ones; record_modifier expands only `${...}` (Ruby interpolation)
 * and a missing field or tag part is simply nil.
 */
export interface TemplateDialect {
  placeholder: RegExp;
  single: RegExp;
  warnUnknown: boolean;
}

export const TRANSFORMER_DIALECT: TemplateDialect = {
  placeholder: /(\$\{[^}]+\}|__[A-Z_]+__)/g,
  single: /^(\$\{[^}]+\}|__[A-Z_]+__)$/,
  warnUnknown: true,
};

export const INTERPOLATION_DIALECT: TemplateDialect = { placeholder: /(\$\{[^}]+\})/g, single: /^(\$\{[^}]+\})$/, warnUnknown: false };

/**
 * Compiles a record_transformer value once, with Fluentd's non-Ruby PlaceholderExpander rules: `${tag}`,
 * `${tag_parts[N]}`, `${tag_prefix[N]}`, `${tag_suffix[N]}` (N may be negative), `${hostname}`, `${time}` and
 * `${record["key"]}`. Anything else is an unknown placeholder: a warning per expansion and nil, as in Fluentd.
 * With auto_typecast a value that is exactly one placeholder keeps the placeholder's type; otherwise each is
 * written with Ruby's to_s. Hash keys are always strings.
 */
export function compileTemplate(
  value: unknown, autoTypecast: boolean, log: Logger, forceStringify = false, dialect = TRANSFORMER_DIALECT,
): Template {
  if (typeof value === 'string') return compileString(value, autoTypecast && !forceStringify, log, dialect);
  if (Array.isArray(value)) {
    const items = value.map((v) => compileTemplate(v, autoTypecast, log, false, dialect));
    return (scope) => items.map((item) => item(scope));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(
      ([k, v]) => [compileTemplate(k, autoTypecast, log, true, dialect), compileTemplate(v, autoTypecast, log, false, dialect)] as const,
    );
    return (scope) => {
      const out: Record<string, unknown> = {};
      for (const [key, val] of entries) out[key(scope) as string] = val(scope);
      return out;
    };
  }
  return () => value;
}

function compileString(text: string, keepType: boolean, log: Logger, dialect: TemplateDialect): Template {
  if (keepType && dialect.single.test(text)) {
    const resolve = resolverFor(text, log, dialect.warnUnknown);
    return (scope) => resolve(scope);
  }
  const pieces = text.split(dialect.placeholder); // odd indexes are placeholders
  if (pieces.length === 1) return () => text;
  const literals: string[] = [];
  const resolvers: Resolver[] = [];
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) literals.push(pieces[i]!);
    else resolvers.push(resolverFor(pieces[i]!, log, dialect.warnUnknown));
  }
  return (scope) => {
    let out = literals[0]!;
    for (let i = 0; i < resolvers.length; i++) out += rubyToS(resolvers[i]!(scope)) + literals[i + 1]!;
    return out;
  };
}

/** The value of one placeholder, or nil with Fluentd's warning when the event has no such placeholder. */
function resolverFor(placeholder: string, log: Logger, warnUnknown: boolean): Resolver {
  const lookup = lookupFor(placeholder);
  return (scope) => {
    const v = lookup(scope);
    if (v !== UNKNOWN) return v;
    if (warnUnknown) log.warn({}, `unknown placeholder \`${placeholder}\` found`);
    return null;
  };
}

function lookupFor(placeholder: string): (scope: TemplateScope) => unknown {
  switch (placeholder) {
    case '${tag}':
      return (s) => s.tag;
    case '${hostname}':
      return (s) => s.hostname;
    case '${time}':
      return (s) => s.time();
    default:
      break;
  }
  const indexed = /^\$\{(tag_parts|tag_prefix|tag_suffix)\[(-?\d+)\]\}$/.exec(placeholder);
  // Fluentd stores `${tag_parts[i]}` and `${tag_parts[i - size]}` per index: only canonical numbers match.
  if (indexed && String(Number(indexed[2])) === indexed[2]) {
    const n = Number(indexed[2]);
    const pick = indexed[1] === 'tag_parts' ? (s: TemplateScope) => s.tagParts
      : indexed[1] === 'tag_prefix' ? (s: TemplateScope) => s.tagPrefix : (s: TemplateScope) => s.tagSuffix;
    return (s) => {
      const list = pick(s);
      const i = n < 0 ? list.length + n : n;
      return i >= 0 && i < list.length ? list[i] : UNKNOWN;
    };
  }
  const field = /^\$\{record\["(.*)"\]\}$/s.exec(placeholder);
  if (field) {
    const key = field[1]!;
    return (s) => (Object.hasOwn(s.record, key) ? s.record[key] : UNKNOWN);
  }
  return () => UNKNOWN;
}

/** `a.b.c` → `a`, `a.b`, `a.b.c` (tag_prefix) and `a.b.c`, `b.c`, `c` (tag_suffix). */
export function tagPrefixes(parts: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) out.push(i === 0 ? parts[0]! : `${out[i - 1]}.${parts[i]}`);
  return out;
}

export function tagSuffixes(parts: string[]): string[] {
  const out: string[] = new Array<string>(parts.length);
  for (let i = parts.length - 1; i >= 0; i--) out[i] = i === parts.length - 1 ? parts[i]! : `${parts[i]}.${out[i + 1]}`;
  return out;
}
