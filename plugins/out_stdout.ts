import { defineOutput, p, z } from '../src/plugin-api/index.ts';
import { legacyInjectParams } from '../src/plugin-helpers/inject.ts';
import { createStdoutLineFormatter } from '../src/plugin-helpers/stdout-lines.ts';

/**
 * Fluentd's out_stdout: each event as a line (`<time> <tag>: <json>` with the default stdout formatter) on standard
 * output. Unbuffered; with a <buffer> section the formatted lines are written per chunk.
 */
export default defineOutput({
  type: 'stdout',
  description: 'Prints events to standard output (time tag: json).',
  params: z.object({
    use_logger: p.bool().default(true).describe('Fluentd writes to its log file under -o; logferry always writes to stdout.'),
    ...legacyInjectParams,
  }),
  helpers: ['format', 'inject', 'buffer'],
  async create(ctx, _params, conf) {
    const format = await createStdoutLineFormatter(ctx, conf);
    const out = process.stdout;
    return {
      process(tag, batch) {
        let lines = '';
        for (let i = 0; i < batch.length; i++) lines += format(tag, batch.secs[i]!, batch.nsecs[i]!, batch.records[i]!);
        out.write(lines);
      },
      format,
      async write(chunk) {
        out.write(await chunk.read());
      },
    };
  },
});
