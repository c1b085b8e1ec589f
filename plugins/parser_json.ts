import { defineParser, p, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ParserCore } from '../src/parser/parser-core.ts';

function isHash(value: unknown): value is EventRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Fluentd's parser_json: one object per line (the last of duplicate keys wins), or an array of objects giving one
 * event each. time_type defaults to float, so numeric times work; a time_format switches it to string.
 */
export default defineParser({
  type: 'json',
  description: 'A JSON object per line (or an array of objects).',
  params: z.object({
    ...commonParserParams({ time_key: 'time', time_type: 'float' }),
    json_parser: p.enum(['oj', 'yajl', 'json']).default('oj').describe('Fluentd\'s JSON library; all parse alike here.'),
    stream_buffer_size: p.integer().default(8192).describe('Buffer size of Fluentd\'s streaming parse_io (unused by line input).'),
  }),
  create(ctx, params, conf) {
    const timeType = 'time_format' in conf.attrs && !('time_type' in conf.attrs) ? 'string' : params.time_type;
    const core = new ParserCore({ ...params, time_type: timeType }, conf, ctx.log);
    return {
      parse(text, out) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return false;
        }
        if (isHash(parsed)) {
          core.add(parsed, out);
          return true;
        }
        if (!Array.isArray(parsed)) return false;
        // Fluentd yields (nil, nil) for each element that is not an object; here a line with no object at all is
        // "not matched", and one with some objects gives those.
        let added = 0;
        for (const element of parsed) {
          if (!isHash(element)) continue;
          core.add(element, out);
          added++;
        }
        return added > 0 || parsed.length === 0;
      },
    };
  },
});
