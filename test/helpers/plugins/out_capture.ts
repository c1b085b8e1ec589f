import { defineOutput, p, z, type EventRecord } from '../../../src/plugin-api/index.ts';

export interface CapturedEvent {
  tag: string;
  sec: number;
  nsec: number;
  record: EventRecord;
}

/** Events each capture output received, by its @id: what tests read to see what arrived. */
export const captured = new Map<string, CapturedEvent[]>();

/**
 * A real output plugin, loaded with -p like any third-party plugin, that keeps what it receives in memory.
 * `fail_times N` makes its first N emits throw, to exercise error paths.
 */
export default defineOutput({
  type: 'capture',
  description: 'Test output: keeps events in memory by @id.',
  params: z.object({
    fail_times: p.integer().default(0).describe('Throw on the first N emits.'),
  }),
  create(ctx, params) {
    let failures = params.fail_times;
    const events: CapturedEvent[] = [];
    captured.set(ctx.id, events);
    return {
      process(tag, batch) {
        if (failures > 0) {
          failures--;
          throw new Error('capture: injected failure');
        }
        for (let i = 0; i < batch.length; i++) {
          events.push({ tag, sec: batch.secs[i]!, nsec: batch.nsecs[i]!, record: batch.records[i]! });
        }
      },
    };
  },
});
