import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';

/** Fluentd's formatter_tsv: the values of `keys` joined by the delimiter. */
export default defineFormatter({
  type: 'tsv',
  description: 'The values of the given keys, tab-separated.',
  params: z.object({
    keys: p.array('string').describe('Field names included in each line (required).'),
    delimiter: p.string().default('\t').describe('Between values.'),
    add_newline: p.bool().default(true).describe('End each record with a newline.'),
    newline: newlineParam(),
  }),
  create(_ctx, params) {
    const keys = params.keys as string[];
    const { delimiter } = params;
    const nl = params.add_newline ? newlineOf(params.newline) : '';
    return {
      format(_tag, _sec, _nsec, record) {
        let out = '';
        for (let i = 0; i < keys.length; i++) out += (i > 0 ? delimiter : '') + rubyToS(record[keys[i]!]);
        return out + nl;
      },
    };
  },
});
