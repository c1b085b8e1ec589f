import { defineOutput, p, UnrecoverableError, z } from '../../../src/plugin-api/index.ts';

/** Chunks each failing output was handed, by @id: how many times its write ran. */
export const failedWrites = new Map<string, number>();

/**
 * Test output: buffered, and every write throws UnrecoverableError, so each chunk goes to its <secondary> (or to
 * the backup directory without one). Without `format` its chunks are Fluentd's standard msgpack stream.
 */
export default defineOutput({
  type: 'failing',
  description: 'Test output: every buffered write fails unrecoverably.',
  params: z.object({
    message: p.string().default('failing: injected unrecoverable error').describe('The error message.'),
  }),
  helpers: ['buffer'],
  create(ctx, params) {
    failedWrites.set(ctx.id, 0);
    return {
      async write() {
        failedWrites.set(ctx.id, (failedWrites.get(ctx.id) ?? 0) + 1);
        throw new UnrecoverableError(params.message);
      },
    };
  },
});
