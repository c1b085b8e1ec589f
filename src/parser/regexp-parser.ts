import type { ConfigElement, EventBatch, Parser } from '../plugin-api/index.ts';
import { p } from '../plugin-api/index.ts';
import { compileRubyRegex, parseRubyRegexLiteral } from '../regex/ruby-regex.ts';
import { commonParserParams, type CommonDefaults } from './common-params.ts';
import { configError, ParserCore, type CommonParams } from './parser-core.ts';
import { NamedCaptureMatcher } from './regexp-matcher.ts';

/** The named groups of a Ruby regexp source, in order, each once (Ruby's Regexp#names). */
export function rubyGroupNames(source: string): string[] {
  const names: string[] = [];
  const re = /\\.|\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) {
    if (m[1] !== undefined && !names.includes(m[1])) names.push(m[1]);
  }
  return names;
}

/** The parameters of Fluentd's RegexpParser; nginx, apache and apache_error give `expression` a default. */
export function regexpParserParams(defaults: CommonDefaults & { expression?: string }) {
  const expression = p.string().describe('A Ruby regexp /.../ with named captures; each capture becomes a field.');
  return {
    ...commonParserParams({ time_key: 'time', ...defaults }),
    expression: defaults.expression === undefined ? expression : expression.default(defaults.expression),
    ignorecase: p.bool().default(false).describe('Deprecated: use /.../i. Recompiles the expression case-insensitively.'),
    multiline: p.bool().default(false).describe('Deprecated: use /.../m. Recompiles the expression with dot matching newlines.'),
  };
}

export interface RegexpParams extends CommonParams {
  expression: string;
  ignorecase: boolean;
  multiline: boolean;
}

/**
 * Compiles the expression of a RegexpParser. Like Fluentd, the deprecated ignorecase/multiline switches recompile
 * the source with only those options.
 */
export function compileExpression(params: RegexpParams, conf: ConfigElement, forceFlags?: string): NamedCaptureMatcher {
  let source: string;
  let flags: string;
  try {
    ({ source, flags } = parseRubyRegexLiteral(params.expression));
    if (params.ignorecase || params.multiline) flags = `${params.ignorecase ? 'i' : ''}${params.multiline ? 'm' : ''}`;
    if (forceFlags !== undefined) flags = forceFlags;
    const names = rubyGroupNames(source);
    if (names.length === 0) {
      throw new Error("No named captures in 'expression' parameter. The regexp must have at least one named capture");
    }
    return new NamedCaptureMatcher(compileRubyRegex(source, flags), names);
  } catch (err) {
    throw configError(conf, 'expression', (err as Error).message);
  }
}

/** Fluentd's RegexpParser#parse: named captures that matched, then parse_time and convert_values. */
export function createRegexpParser(params: RegexpParams, conf: ConfigElement, log: ConstructorParameters<typeof ParserCore>[2]): Parser {
  const core = new ParserCore(params, conf, log);
  const matcher = compileExpression(params, conf);
  const removed = core.removedTimeKey;
  const held = removed === undefined ? -1 : matcher.names.indexOf(removed);
  return {
    parse(text: string, out: EventBatch): boolean {
      const record = matcher.match(text, held);
      if (record === null) return false;
      if (held < 0) core.add(record, out);
      else core.addWithTime(record, matcher.heldValue, out);
      return true;
    },
  };
}
