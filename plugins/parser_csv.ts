import { defineParser, p, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { parseCsvFast, parseCsvLine } from '../src/parser/csv-line.ts';
import { ParserCore } from '../src/parser/parser-core.ts';
import { createSplitter } from '../src/parser/ruby-split.ts';

/**
 * Fluentd's parser_csv. Engine `normal` is Ruby's CSV.parse_line (strict RFC 4180; malformed lines are errors),
 * `fast` Fluentd's split-and-rejoin shortcut with its quirks.
 */
export default defineParser({
  type: 'csv',
  description: 'Comma-separated values named by keys.',
  params: z.object({
    ...commonParserParams(),
    keys: p.array('string').describe('Names of the columns, in order (extra columns are ignored).'),
    delimiter: p.string().default(',').describe('Column separator.'),
    parser_engine: p.enum(['normal', 'fast']).default('normal').describe('normal: Ruby CSV; fast: Fluentd\'s quick splitter.'),
    parser_type: p.enum(['normal', 'fast']).optional().describe('Alias of parser_engine.'),
  }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const keys = params.keys as string[];
    const delimiter = params.delimiter;
    if ((params.parser_type ?? params.parser_engine) === 'fast') {
      const splitter = createSplitter(delimiter);
      return {
        parse(text, out) {
          core.add(parseCsvFast(text, keys, delimiter, splitter), out);
          return true;
        },
      };
    }
    return {
      parse(text, out) {
        const values = parseCsvLine(text, delimiter);
        if (values === null) return false;
        const record: EventRecord = {};
        for (let i = 0; i < keys.length; i++) record[keys[i]!] = values[i] ?? null;
        core.add(record, out);
        return true;
      },
    };
  },
});
