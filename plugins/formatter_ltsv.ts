import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';

/** Fluentd's formatter_ltsv: `label:value` pairs joined by tabs, the delimiter inside a value replaced. */
export default defineFormatter({
  type: 'ltsv',
  description: 'Labeled tab-separated values (label:value<TAB>...).',
  params: z.object({
    delimiter: p.string().default('\t').describe('Between fields.'),
    label_delimiter: p.string().default(':').describe('Between a label and its value.'),
    replacement: p.string().default(' ').describe('Replaces the delimiter inside values.'),
    add_newline: p.bool().default(true).describe('End each record with a newline.'),
    newline: newlineParam(),
  }),
  create(_ctx, params) {
    const { delimiter, label_delimiter: labelDelimiter, replacement } = params;
    const nl = params.add_newline ? newlineOf(params.newline) : '';
    return {
      format(_tag, _sec, _nsec, record) {
        let out = '';
        for (const label in record) {
          const value = rubyToS(record[label]);
          out += `${out.length > 0 ? delimiter : ''}${label}${labelDelimiter}${value.includes(delimiter) ? value.replaceAll(delimiter, replacement) : value}`;
        }
        return out + nl;
      },
    };
  },
});
