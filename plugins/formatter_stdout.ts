import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { chomp } from '../src/formatter/chomp.ts';
import { createTimeFormatter, resolveLocaltime, timeParams } from '../src/formatter/time-formatter.ts';

const TIME_FORMAT = '%Y-%m-%d %H:%M:%S.%N %z';

/**
 * Fluentd's formatter_stdout, the default of out_stdout: `<local time with ns> <tag>: <record>` where the record is
 * formatted by `output_type` (json by default) configured with this same section.
 */
export default defineFormatter({
  type: 'stdout',
  description: 'time tag: record (record by output_type, json by default), as Fluentd\'s out_stdout prints.',
  params: z.object({
    output_type: p.string().default('json').describe('Formatter type for the record part.'),
    ...timeParams,
  }),
  async create(ctx, params, conf) {
    resolveLocaltime(params, conf); // Fluentd's check of utc/localtime given together
    // Fluentd formats this time with Time.at(time).localtime whatever utc/timezone say; only time_format applies.
    const formatTime = createTimeFormatter({ localtime: true, utc: false, time_format: params.time_format ?? TIME_FORMAT }, conf);
    // The record part is configured with the same section, minus what this formatter itself consumed.
    const subAttrs: Record<string, string> = { ...conf.attrs, '@type': params.output_type };
    for (const key of ['output_type', ...Object.keys(timeParams)]) delete subAttrs[key];
    const sub = await ctx.createFormatter({ ...conf, attrs: subAttrs });
    return {
      format(tag, sec, nsec, record) {
        return `${formatTime(sec, nsec)} ${tag}: ${chomp(sub.format(tag, sec, nsec, record).toString())}\n`;
      },
    };
  },
});
