import { Packr } from 'msgpackr';
import { defineFormatter, z } from '../src/plugin-api/index.ts';

/** Fluentd's formatter_msgpack: the record alone (no tag, no time) as MessagePack. */
export default defineFormatter({
  type: 'msgpack',
  description: 'The record as MessagePack (binary; no tag or time).',
  params: z.object({}),
  create() {
    const packr = new Packr({ useRecords: false, variableMapSize: true });
    return { format: (_tag, _sec, _nsec, record) => packr.pack(record) };
  },
});
