import { defineParser, z } from '../src/plugin-api/index.ts';
import { createRegexpParser, regexpParserParams } from '../src/parser/regexp-parser.ts';

/** Fluentd's parser_regexp: a Ruby regexp with named captures, translated faithfully or refused. */
export default defineParser({
  type: 'regexp',
  description: 'Named captures of a Ruby regexp become the fields.',
  params: z.object(regexpParserParams({})),
  create: (ctx, params, conf) => createRegexpParser(params, conf, ctx.log),
});
