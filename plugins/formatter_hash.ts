import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyInspect } from '../src/formatter/ruby-inspect.ts';

/** Fluentd's formatter_hash: Ruby's Hash#to_s of the record. */
export default defineFormatter({
  type: 'hash',
  description: 'The record as Ruby prints a Hash ({"k" => "v"}, Ruby 3.4 style).',
  params: z.object({
    add_newline: p.bool().default(true).describe('End each record with a newline.'),
    newline: newlineParam(),
  }),
  create(_ctx, params) {
    const nl = params.add_newline ? newlineOf(params.newline) : '';
    return { format: (_tag, _sec, _nsec, record) => rubyInspect(record) + nl };
  },
});
