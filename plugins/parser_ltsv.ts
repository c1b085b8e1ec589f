import { defineParser, p, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ParserCore } from '../src/parser/parser-core.ts';
import { createSplitter } from '../src/parser/ruby-split.ts';

/** Fluentd's parser_ltsv: `label:value` pairs separated by tabs; pairs without the label delimiter are dropped. */
export default defineParser({
  type: 'ltsv',
  description: 'Labeled tab-separated values (label:value<TAB>...).',
  params: z.object({
    ...commonParserParams({ time_key: 'time' }),
    delimiter: p.string().default('\t').describe('Separator of the pairs (a single space splits on runs of whitespace).'),
    delimiter_pattern: p.regexp().optional().describe('A regexp separating the pairs; overrides delimiter.'),
    label_delimiter: p.string().default(':').describe('Separator of label and value (the first one counts).'),
  }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const pairs = createSplitter(params.delimiter_pattern ?? params.delimiter);
    const label = createSplitter(params.label_delimiter);
    return {
      parse(text, out) {
        const record: EventRecord = {};
        for (const pair of pairs.split(text)) {
          const kv = label.split(pair, 2);
          if (kv.length === 2) record[kv[0]!] = kv[1];
        }
        core.add(record, out);
        return true;
      },
    };
  },
});
