import { defineOutput, p, z } from '../../../src/plugin-api/index.ts';

/** Chunks each flaky output wrote successfully, by @id. */
export const flakyWrites = new Map<string, number>();

/**
 * Test output: buffered; its first `fail_times` writes throw a retryable error (-1: every write), so the buffer
 * queues chunks and keeps a retry state. `token` is a secret parameter, to see it masked.
 */
export default defineOutput({
  type: 'flaky',
  description: 'Test output: buffered writes that fail (retryably) fail_times times.',
  params: z.object({
    fail_times: p.integer().default(-1).describe('Writes that throw before writes succeed; -1: all of them.'),
    token: p.secret().optional().describe('A credential, only to be masked.'),
  }),
  helpers: ['buffer'],
  create(ctx, params) {
    let failures = params.fail_times;
    flakyWrites.set(ctx.id, 0);
    return {
      async write() {
        if (failures !== 0) {
          if (failures > 0) failures--;
          throw new Error('flaky: injected failure');
        }
        flakyWrites.set(ctx.id, (flakyWrites.get(ctx.id) ?? 0) + 1);
      },
    };
  },
});
