import { MemoryStorage } from '../src/buffer/memory-storage.ts';
import { bufferParams } from '../src/buffer/settings.ts';
import { defineBuffer } from '../src/plugin-api/index.ts';

/** Fluentd's buf_memory: chunks in memory; fast, lost with the process (flush_at_shutdown defaults to true). */
export default defineBuffer({
  type: 'memory',
  description: 'Buffer chunks in memory.',
  params: bufferParams.pick({ compress: true }),
  create(_ctx, params) {
    return new MemoryStorage(params.compress === 'gzip');
  },
});
