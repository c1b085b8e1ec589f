import { defineParser, p, z } from '../src/plugin-api/index.ts';
import { nowEventTime } from '../src/event/event-time.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ParserCore } from '../src/parser/parser-core.ts';

/** Fluentd's parser_none: the whole line under message_key, time now (types and time_key do not apply). */
export default defineParser({
  type: 'none',
  description: 'The line as is, in one field (no parsing).',
  params: z.object({
    ...commonParserParams(),
    message_key: p.string().default('message').describe('The field that receives the line.'),
  }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const key = params.message_key;
    const estimate = core.estimateCurrentEvent;
    return {
      parse(text, out) {
        const record = { [key]: text };
        if (estimate) {
          const now = nowEventTime();
          out.add(now.sec, now.nsec, record);
        } else {
          out.add(NaN, 0, record);
        }
        return true;
      },
    };
  },
});
