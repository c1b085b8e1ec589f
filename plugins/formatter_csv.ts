import { ConfigError, defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { rubyToS } from '../src/formatter/ruby-inspect.ts';
import { createRecordAccessor, isNestedAccessor } from '../src/plugin-helpers/record-accessor.ts';

/** Fluentd's formatter_csv (Ruby's CSV writer): `fields` values, quoted, `$.a.b` for nested values. */
export default defineFormatter({
  type: 'csv',
  description: 'The values of the given fields as one CSV row.',
  params: z.object({
    fields: p.array('string').describe('Field names (or $.a.b paths) of the columns (required).'),
    delimiter: p.string().default(',').describe('Column separator; \\t or TAB for a tab.'),
    force_quotes: p.bool().default(true).describe('Quote every value.'),
    add_newline: p.bool().default(true).describe('End each row with a newline.'),
  }),
  create(_ctx, params, conf) {
    const fields = (params.fields as string[]).filter((f) => f !== '');
    if (fields.length === 0) {
      throw new ConfigError('empty value is specified in fields parameter', {
        location: conf.attrLocations.fields ?? conf.location, section: conf.name, param: 'fields',
      });
    }
    const sep = params.delimiter === '\\t' || params.delimiter === 'TAB' ? '\t' : params.delimiter;
    const nl = params.add_newline ? '\n' : '';
    const quoteField = (text: string) => `"${text.includes('"') ? text.replaceAll('"', '""') : text}"`;
    const needsQuotes = (text: string) =>
      text === '' || text.includes('\r') || text.includes('\n') || text.includes(sep) || text.includes('"');
    // Ruby's CSV writer: force_quotes quotes String(value) (nil -> ""); otherwise nil is an empty unquoted field
    // and a value is quoted only when empty or holding a separator, quote or line break.
    const cell = params.force_quotes
      ? (v: unknown) => quoteField(rubyToS(v))
      : (v: unknown) => {
          if (v === null || v === undefined) return '';
          const text = rubyToS(v);
          return needsQuotes(text) ? quoteField(text) : text;
        };
    const getters = fields.some(isNestedAccessor)
      ? fields.map((f) => createRecordAccessor(f).get)
      : fields.map((f) => (r: Record<string, unknown>) => r[f]);
    return {
      format(_tag, _sec, _nsec, record) {
        let out = '';
        for (let i = 0; i < getters.length; i++) out += (i > 0 ? sep : '') + cell(getters[i]!(record));
        return out + nl;
      },
    };
  },
});
