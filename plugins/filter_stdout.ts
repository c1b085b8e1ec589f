import { defineFilter, z } from '../src/plugin-api/index.ts';
import { legacyInjectParams } from '../src/plugin-helpers/inject.ts';
import { createStdoutLineFormatter } from '../src/plugin-helpers/stdout-lines.ts';

/**
 * Fluentd's filter_stdout: prints each event as out_stdout does and passes the batch on unchanged (`<inject>` adds
 * fields to the printed line only). An event that cannot be formatted goes to the error route; the others print.
 */
export default defineFilter({
  type: 'stdout',
  description: 'Prints events passing through (time tag: json) and lets them go on unchanged.',
  params: z.object({ ...legacyInjectParams }),
  helpers: ['format', 'inject'],
  async create(ctx, _params, conf) {
    const format = await createStdoutLineFormatter(ctx, conf);
    return {
      filter(tag, batch) {
        let lines = '';
        for (let i = 0; i < batch.length; i++) {
          try {
            lines += format(tag, batch.secs[i]!, batch.nsecs[i]!, batch.records[i]!);
          } catch (err) {
            ctx.emitError(tag, batch.secs[i]!, batch.nsecs[i]!, batch.records[i]!, err as Error);
          }
        }
        process.stdout.write(lines);
        return batch;
      },
    };
  },
});
