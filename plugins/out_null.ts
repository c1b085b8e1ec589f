import { defineOutput, p, z } from '../src/plugin-api/index.ts';

/** Fluentd's out_null: accepts events and drops them (buffered when given a <buffer>). */
export default defineOutput({
  type: 'null',
  description: 'Accepts and discards events.',
  params: z.object({
    never_flush: p.bool().default(false).describe('For testing: every flush fails (the events are retried).'),
  }),
  helpers: ['buffer'],
  create(_ctx, params) {
    const check = () => {
      if (params.never_flush) throw new Error('failed to flush');
    };
    return {
      process: check,
      async write() {
        check();
      },
    };
  },
});
