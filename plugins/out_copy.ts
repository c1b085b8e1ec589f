import { ConfigError, defineOutput, EventBatch, p, z, type OutputHandle } from '../src/plugin-api/index.ts';

const params = z.object({
  copy_mode: p.enum(['no_copy', 'shallow', 'deep', 'marshal']).default('no_copy')
    .describe('How each <store> gets the records: shared (no_copy), shallow copies, or deep copies (deep, marshal).'),
  deep_copy: p.bool().default(false).describe('Deprecated: true means copy_mode shallow (as in Fluentd).'),
});

/** Fluentd's out_copy: every event goes to each <store> in order; `<store ignore_error>` keeps going past a failure. */
export default defineOutput({
  type: 'copy',
  description: 'Sends every event to each <store> output in turn.',
  params,
  helpers: ['store'],
  sections: {
    store: {
      description: 'An output (any @type, with its own <buffer>). Arg `ignore_error` / `ignore_if_prev_success`.',
      params: null,
      multi: true,
      required: true,
    },
  },
  async create(ctx, params, conf) {
    const storeConfs = conf.elements.filter((e) => e.name === 'store');
    if (storeConfs.length === 0) throw new ConfigError('<store> section is required', { location: conf.location, section: 'match' });
    const mode = params.deep_copy && params.copy_mode === 'no_copy' ? 'shallow' : params.copy_mode;
    const stores: Array<{ handle: OutputHandle; ignoreError: boolean; ignoreIfPrevSuccess: boolean }> = [];
    for (const storeConf of storeConfs) {
      const flags = storeConf.arg.split(/\s+/).filter(Boolean);
      for (const flag of flags) {
        if (flag !== 'ignore_error' && flag !== 'ignore_if_prev_success') {
          throw new ConfigError(`unknown <store> argument '${flag}' (valid: ignore_error, ignore_if_prev_success)`, { location: storeConf.location });
        }
      }
      stores.push({
        handle: await ctx.createOutput(storeConf),
        ignoreError: flags.includes('ignore_error'),
        ignoreIfPrevSuccess: flags.includes('ignore_if_prev_success'),
      });
    }
    return {
      async start() {
        for (const s of stores) await s.handle.start();
      },
      async shutdown() {
        await Promise.all(stores.map((s) => s.handle.shutdown()));
      },
      async process(tag, batch) {
        let prevSucceeded = false;
        for (const store of stores) {
          if (store.ignoreIfPrevSuccess && prevSucceeded) continue;
          try {
            await store.handle.emit(tag, copyBatch(batch, mode));
            prevSucceeded = true;
          } catch (err) {
            prevSucceeded = false;
            if (!store.ignoreError) throw err;
            ctx.log.error({ err, store: store.handle.id }, 'ignore emit error in <store ignore_error>');
          }
        }
      },
    };
  },
});

function copyBatch(batch: EventBatch, mode: 'no_copy' | 'shallow' | 'deep' | 'marshal'): EventBatch {
  if (mode === 'no_copy') return batch;
  const out = new EventBatch();
  out.secs = batch.secs.slice();
  out.nsecs = batch.nsecs.slice();
  out.records = mode === 'shallow' ? batch.records.map((r) => ({ ...r })) : structuredClone(batch.records);
  return out;
}
