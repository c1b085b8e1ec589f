import { Unpackr } from 'msgpackr';
import { defineParser, z } from '../src/plugin-api/index.ts';
import type { EventBatch, EventRecord } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ForeignParseError } from '../src/parser/errors.ts';
import { ParserCore } from '../src/parser/parser-core.ts';

function isHash(value: unknown): value is EventRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Fluentd's parser_msgpack: every object in the data is an event (a map) or a list of events (an array of maps).
 * The data is binary: a Buffer, or a string whose char codes are the bytes (latin1). Like Fluentd's streaming
 * unpacker, an object cut at the end of one call is completed by the next.
 */
export default defineParser({
  type: 'msgpack',
  description: 'MessagePack maps (binary input).',
  params: z.object({ ...commonParserParams() }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: 'number' });
    let pending: Buffer | null = null;

    function addObject(obj: unknown, out: EventBatch): boolean {
      if (isHash(obj)) {
        core.add(obj, out);
        return true;
      }
      if (!Array.isArray(obj)) return false;
      let added = false;
      for (const element of obj) {
        if (!isHash(element)) continue;
        core.add(element, out);
        added = true;
      }
      return added || obj.length === 0;
    }

    return {
      parse(data: string | Buffer, out) {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
        const input: Buffer = pending ? Buffer.concat([pending, bytes]) : bytes;
        pending = null;
        let objects: unknown[];
        try {
          objects = unpackr.unpackMultiple(input) as unknown[];
        } catch (err) {
          const e = err as Error & { incomplete?: boolean; lastPosition?: number; values?: unknown[] };
          if (!e.incomplete) throw new ForeignParseError(e.message);
          pending = Buffer.from(input.subarray(e.lastPosition ?? 0));
          objects = e.values ?? [];
        }
        let matched = objects.length === 0;
        for (const obj of objects) if (addObject(obj, out)) matched = true;
        return matched;
      },
    };
  },
});
