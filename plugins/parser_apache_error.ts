import { defineParser, z } from '../src/plugin-api/index.ts';
import { createRegexpParser, regexpParserParams } from '../src/parser/regexp-parser.ts';

const EXPRESSION = String.raw`/^\[[^ ]* (?<time>[^\]]*)\] \[(?<level>[^\]]*)\](?: \[pid (?<pid>[^\]]*)\])?( \[client (?<client>[^\]]*)\])? (?<message>.*)$/`;

/** Fluentd's parser_apache_error: no default time_format, so the time goes through Ruby's Time.parse (local). */
export default defineParser({
  type: 'apache_error',
  description: 'Apache error log.',
  params: z.object(regexpParserParams({ expression: EXPRESSION })),
  create: (ctx, params, conf) => createRegexpParser(params, conf, ctx.log),
});
