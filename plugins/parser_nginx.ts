import { defineParser, z } from '../src/plugin-api/index.ts';
import { createRegexpParser, regexpParserParams } from '../src/parser/regexp-parser.ts';

const EXPRESSION = String.raw`/^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)"(?:\s+\"?(?<http_x_forwarded_for>[^\"]*)\"?)?)?$/`;

/** Fluentd's parser_nginx: the combined log format; every field a string, `-` kept. */
export default defineParser({
  type: 'nginx',
  description: 'nginx access log (combined format, optional X-Forwarded-For).',
  params: z.object(regexpParserParams({ expression: EXPRESSION, time_format: '%d/%b/%Y:%H:%M:%S %z' })),
  create: (ctx, params, conf) => createRegexpParser(params, conf, ctx.log),
});
