import { defineFormatter, p, z } from '../src/plugin-api/index.ts';
import { newlineOf, newlineParam } from '../src/formatter/newline.ts';
import { rubyJsonGenerate } from '../src/formatter/ruby-json.ts';
import { createEventTimeFormatter, timeParams, timeTypeParam } from '../src/formatter/time-formatter.ts';

/** Fluentd's formatter_out_file: `time<TAB>tag<TAB>json`, the default of out_file and out_s3. */
export default defineFormatter({
  type: 'out_file',
  description: 'time<TAB>tag<TAB>JSON record, as Fluentd\'s out_file writes.',
  params: z.object({
    output_time: p.bool().default(true).describe('Start the line with the event time.'),
    output_tag: p.bool().default(true).describe('Put the tag before the record.'),
    delimiter: p.string().default('\t').describe('SPACE, COMMA, or anything else for a tab.'),
    newline: newlineParam(),
    time_type: timeTypeParam('string'),
    ...timeParams,
  }),
  create(_ctx, params, conf) {
    const delimiter = /SPACE/i.test(params.delimiter) ? ' ' : /COMMA/i.test(params.delimiter) ? ',' : '\t';
    const nl = newlineOf(params.newline);
    const formatTime = params.output_time ? createEventTimeFormatter(params, conf) : undefined;
    const tagPart = params.output_tag;
    return {
      format(tag, sec, nsec, record) {
        const json = rubyJsonGenerate(record);
        const time = formatTime ? formatTime(sec, nsec) + delimiter : '';
        return tagPart ? `${time}${tag}${delimiter}${json}${nl}` : `${time}${json}${nl}`;
      },
    };
  },
});
