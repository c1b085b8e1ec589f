import type { EventRecord } from '../src/plugin-api/index.ts';
import { ConfigError, EventBatch, defineInput, nowEventTime, p, z } from '../src/plugin-api/index.ts';
import { rubyInspect } from '../src/formatter/ruby-inspect.ts';

const BIN_NUM = 10;
const DEFAULT_SAMPLE = '[{"message":"sample"}]';

/**
 * Fluentd's in_sample (also registered as in_dummy): generates `rate` events per second from `sample`, spread over
 * ten 100 ms bins as Fluentd does (rate / 10 per bin, the remainder at the end of the second).
 */
export default defineInput({
  type: 'sample',
  description: 'Generates sample events at a fixed rate (Fluentd\'s in_sample / in_dummy).',
  params: z.object({
    tag: p.string().describe('The tag of the generated events (required).'),
    size: p.integer().default(1).describe('Events in each emitted event stream.'),
    rate: p.integer().default(1).describe('Event streams generated per second.'),
    auto_increment_key: p.string().optional().describe('Add an incrementing counter under this key.'),
    suspend: p.bool().default(false).describe('Deprecated and ignored by Fluentd too.'),
    reuse_record: p.bool().default(false).describe('Emit the same record objects instead of copies.'),
    sample: p.string().optional().describe('A JSON hash or an array of hashes, used in turn (default {"message":"sample"}).'),
    dummy: p.string().optional().describe('Alias of sample.'),
  }),
  create(ctx, params, conf) {
    const param = params.sample !== undefined ? 'sample' : 'dummy';
    const samples = parseSample(params.sample ?? params.dummy ?? DEFAULT_SAMPLE, (message) =>
      new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: conf.name, param }));
    const { tag, size, auto_increment_key: counterKey, reuse_record: reuse } = params;
    const batchNum = Math.floor(params.rate / BIN_NUM);
    const residualNum = params.rate % BIN_NUM;
    let index = 0;
    let counter = -1;
    let running = false;
    let timer: NodeJS.Timeout | undefined;
    let pending: Promise<void> = Promise.resolve();

    const generate = (): EventRecord => {
      let d = samples[index]!;
      index = (index + 1) % samples.length;
      if (!reuse || counterKey !== undefined) d = { ...d };
      if (counterKey !== undefined) d[counterKey] = ++counter;
      return d;
    };
    // Fluentd emits `num` streams of `size` events; they go out here as one batch per bin (same events, fewer
    // promises). Like Fluentd, a failed emit (e.g. a full buffer) loses those events and the loop goes on.
    const emit = async (num: number): Promise<void> => {
      if (num <= 0) return;
      const batch = new EventBatch();
      for (let i = 0; i < num * size; i++) {
        const t = nowEventTime();
        batch.add(t.sec, t.nsec, generate());
      }
      try {
        await ctx.emit(tag, batch);
      } catch (err) {
        ctx.log.debug({ err }, 'sample events were not accepted');
      }
    };
    let bin = 0;
    const tick = async () => {
      await emit(batchNum);
      bin++;
      if (bin === BIN_NUM) {
        bin = 0;
        await emit(residualNum);
      }
    };
    const schedule = () => {
      if (!running) return;
      timer = setTimeout(() => {
        pending = tick().finally(schedule);
      }, 1000 / BIN_NUM);
    };
    return {
      start() {
        running = true;
        schedule();
      },
      async shutdown() {
        running = false;
        clearTimeout(timer);
        await pending;
      },
    };
  },
});

function parseSample(text: string, fail: (message: string) => Error): EventRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw fail(`JSON::ParserError: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  list.forEach((e, i) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw fail(`${i}th element of sample, ${rubyInspect(e)}, is not a hash`);
  });
  if (list.length === 0) throw fail('sample must hold at least one hash');
  return list as EventRecord[];
}
