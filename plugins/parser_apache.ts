import { defineParser, z } from '../src/plugin-api/index.ts';
import { createRegexpParser, regexpParserParams } from '../src/parser/regexp-parser.ts';

const EXPRESSION = String.raw`/^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")?$/`;

/** Fluentd's legacy parser_apache: common/combined log format as strings, referer and agent absent when missing. */
export default defineParser({
  type: 'apache',
  description: 'Apache access log, legacy (all strings).',
  params: z.object(regexpParserParams({ expression: EXPRESSION, time_format: '%d/%b/%Y:%H:%M:%S %z' })),
  create: (ctx, params, conf) => createRegexpParser(params, conf, ctx.log),
});
