import type { Scanner } from './scanner.ts';

/**
 * Fluentd evaluates `"#{...}"` in a config as Ruby code. logferry never evaluates code: it recognises the forms
 * real configs use and rejects anything else with an error naming the expression.
 */

/** `#{use_nil}`: the parameter is explicitly unset (Fluentd's SetNil). */
export const USE_NIL: unique symbol = Symbol('use_nil');
/** `#{use_default}`: the parameter takes its default (Fluentd's SetDefault). */
export const USE_DEFAULT: unique symbol = Symbol('use_default');

export type EmbeddedValue = string | typeof USE_NIL | typeof USE_DEFAULT;

/** What the supported expressions read. */
export interface EmbedContext {
  env: Record<string, string | undefined>;
  hostname: string;
  workerId: string;
}

// A Ruby string literal as written in a config: single-quoted (only \\ and \' escape), or double-quoted without
// interpolation (#{, #@, #$) and with the escapes \\ \" \n \t.
const RUBY_STRING = String.raw`'(?:[^'\\\n]|\\[^\n])*'|"(?:[^"\\#\n]|#(?![{@$])|\\[\\"nt])*"`;
// A default may also be a Ruby number (`ENV.fetch('ES_PORT', 9200)`), which interpolates as its to_s.
const RUBY_NUMBER = String.raw`-?\d[\d_]*(?:\.\d[\d_]*)?`;
const RUBY_LITERAL = `${RUBY_STRING}|${RUBY_NUMBER}`;
const EXPRESSION = new RegExp(
  String.raw`[ \t]*(?:ENV\[[ \t]*(${RUBY_STRING})[ \t]*\](?:[ \t]*\|\|[ \t]*(${RUBY_LITERAL}))?` +
    String.raw`|ENV\.fetch\([ \t]*(${RUBY_STRING})[ \t]*(?:,[ \t]*(${RUBY_LITERAL})[ \t]*)?\)` +
    String.raw`|(Socket\.gethostname|hostname|worker_id|use_nil|use_default)|)[ \t]*\}`,
  'y',
);
const EXPRESSION_TEXT = /[^}\n]*\}?/y;

const DOUBLE_QUOTED_ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t' };

/** A string or number literal's value as Ruby interpolates it (`9200` -> "9200", `1_000` -> "1000", `2.50` -> "2.5"). */
function rubyLiteralValue(literal: string): string {
  if (literal.startsWith("'") || literal.startsWith('"')) return rubyStringValue(literal);
  const digits = literal.replace(/_/g, '');
  if (!digits.includes('.')) return BigInt(digits).toString();
  const value = String(Number(digits));
  return value.includes('.') || value.includes('e') ? value : `${value}.0`;
}

function rubyStringValue(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith("'")) return body.replace(/\\([\\'])/g, '$1');
  return body.replace(/\\(.)/g, (_, c: string) => DOUBLE_QUOTED_ESCAPES[c]!);
}

/**
 * Reads one embedded expression: the scanner stands just after `#{`; on return it stands after the closing `}`.
 * An `ENV[...]` of an unset variable gives "" (Ruby interpolates nil as an empty string).
 */
export function readEmbedded(s: Scanner, ctx: EmbedContext): EmbeddedValue {
  const start = s.pos;
  const m = s.match(EXPRESSION);
  if (m === null) {
    const text = s.check(EXPRESSION_TEXT) ?? '';
    s.fail(
      `unsupported embedded Ruby code "#{${text}": logferry does not evaluate Ruby; it supports ` +
        `#{ENV['NAME']}, #{ENV['NAME'] || 'default'}, #{ENV.fetch('NAME', 'default' or 9200)}, #{Socket.gethostname}, #{hostname}, #{worker_id}, ` +
        `#{use_nil}, #{use_default} and #{}`,
      start,
    );
  }
  s.pos += m[0].length;
  const [, envName, envFallback, fetchName, fetchDefault, word] = m;
  if (envName !== undefined) {
    // `ENV['X'] || 'default'`: Ruby's nil-or, so a variable set to "" stays "".
    return ctx.env[rubyStringValue(envName)] ?? (envFallback !== undefined ? rubyLiteralValue(envFallback) : '');
  }
  if (fetchName !== undefined) {
    const name = rubyStringValue(fetchName);
    const value = ctx.env[name];
    if (value !== undefined) return value;
    if (fetchDefault !== undefined) return rubyLiteralValue(fetchDefault);
    s.fail(`environment variable ${name} is not set (ENV.fetch('${name}') has no default)`, start);
  }
  switch (word) {
    case undefined:
      return '';
    case 'worker_id':
      return ctx.workerId;
    case 'use_nil':
      return USE_NIL;
    case 'use_default':
      return USE_DEFAULT;
    default:
      return ctx.hostname;
  }
}
