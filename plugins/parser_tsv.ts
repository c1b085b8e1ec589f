import { defineParser, p, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ParserCore } from '../src/parser/parser-core.ts';
import { createSplitter } from '../src/parser/ruby-split.ts';

/** Fluentd's parser_tsv: `split(delimiter, keys.size)`: the last key takes the rest, missing ones are null. */
export default defineParser({
  type: 'tsv',
  description: 'Tab-separated values named by keys.',
  params: z.object({
    ...commonParserParams(),
    keys: p.array('string').describe('Names of the columns, in order.'),
    delimiter: p.string().default('\t').describe('Column separator (a single space splits on runs of whitespace).'),
  }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const keys = params.keys as string[];
    const splitter = createSplitter(params.delimiter);
    return {
      parse(text, out) {
        const values = splitter.split(text, keys.length);
        const record: EventRecord = {};
        for (let i = 0; i < keys.length; i++) record[keys[i]!] = values[i] ?? null;
        core.add(record, out);
        return true;
      },
    };
  },
});
