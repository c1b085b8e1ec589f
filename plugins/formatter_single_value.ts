import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';

/** Fluentd's formatter_single_value: one field's value as text. */
export default defineFormatter({
  type: 'single_value',
  description: 'The value of one field (message_key) as a line.',
  params: z.object({
    message_key: p.string().default('message').describe('The field to output.'),
    add_newline: p.bool().default(true).describe('End each value with a newline.'),
    newline: newlineParam(),
  }),
  create(_ctx, params) {
    const key = params.message_key;
    const nl = params.add_newline ? newlineOf(params.newline) : '';
    return { format: (_tag, _sec, _nsec, record) => rubyToS(record[key]) + nl };
  },
});
