import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyJsonGenerate } from '../src/formatter/ruby-json.ts';

/** Fluentd's formatter_json: the record as compact JSON (tag and time only through <inject>). */
export default defineFormatter({
  type: 'json',
  description: 'The record as one line of compact JSON, byte-identical to Fluentd.',
  params: z.object({
    json_parser: p.enum(['oj', 'json', 'yajl']).default('oj').describe('Fluentd\'s JSON library; all give the same bytes here.'),
    add_newline: p.bool().default(true).describe('End each record with a newline.'),
    newline: newlineParam(),
  }),
  create(_ctx, params) {
    if (!params.add_newline) return { format: (_tag, _sec, _nsec, record) => rubyJsonGenerate(record) };
    const nl = newlineOf(params.newline);
    return { format: (_tag, _sec, _nsec, record) => rubyJsonGenerate(record) + nl };
  },
});
