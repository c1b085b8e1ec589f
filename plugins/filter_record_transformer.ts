import { hostname as osHostname } from 'node:os';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { ConfigError, EventBatch, defineFilter, p, z } from '../src/plugin-api/index.ts';
import { toFloat } from '../src/config/types.ts';
import { createTimeFormatter } from '../src/formatter/time-formatter.ts';
import { createRecordAccessor, type RecordAccessor } from '../src/plugin-helpers/record-accessor.ts';
import { compileTemplate, tagPrefixes, tagSuffixes, type Template, type TemplateScope } from '../src/plugin-helpers/record-template.ts';

/**
 * Fluentd's filter_record_transformer with enable_ruby false: <record> fields with placeholders, remove_keys,
 * keep_keys with renew_record, renew_time_key. Templates are compiled once at configure time.
 */
export default defineFilter({
  type: 'record_transformer',
  description: 'Adds, rewrites and removes record fields with ${tag}, ${record["k"]}, ... placeholders.',
  params: z.object({
    remove_keys: p.array().optional().describe('Keys (or $.a.b paths) to delete, after <record> is applied.'),
    keep_keys: p.array().optional().describe('With renew_record: keys copied from the original record.'),
    renew_record: p.bool().default(false).describe('Start from an empty record instead of the original.'),
    renew_time_key: p.string().optional().describe('A field whose value (epoch seconds) becomes the event time.'),
    enable_ruby: p.bool().default(false).describe('Must stay false: logferry never runs Ruby.'),
    auto_typecast: p.bool().default(true).describe('A value that is exactly one placeholder keeps its type.'),
  }),
  sections: {
    record: { description: 'Fields to set: `key value`, values may hold placeholders or JSON.', params: null, multi: true },
  },
  create(ctx, params, conf) {
    if (params.enable_ruby) {
      throw new ConfigError('enable_ruby true is not supported: logferry never runs Ruby code. Use the ${tag}, ${tag_parts[N]}, ${record["key"]}, ... placeholders, or another filter', {
        location: conf.attrLocations.enable_ruby ?? conf.location, section: conf.name, param: 'enable_ruby',
      });
    }
    if (params.keep_keys && !params.renew_record) {
      throw new ConfigError('`renew_record` must be true to use `keep_keys`', {
        location: conf.attrLocations.keep_keys ?? conf.location, section: conf.name, param: 'keep_keys',
      });
    }
    const fields: Array<[string, Template]> = [];
    for (const el of conf.elements.filter((e) => e.name === 'record')) {
      for (const [key, raw] of Object.entries(el.attrs)) {
        if (key.startsWith('@')) continue;
        fields.push([key, compileTemplate(parseValue(raw, ctx.log), params.auto_typecast, ctx.log)]);
      }
    }
    const keyTemplates = fields.map(([key]) => compileTemplate(key, params.auto_typecast, ctx.log, true));
    const deleters: RecordAccessor[] = ((params.remove_keys ?? []) as string[]).map((k) => {
      try {
        return createRecordAccessor(k);
      } catch (err) {
        throw new ConfigError((err as Error).message, { location: conf.attrLocations.remove_keys ?? conf.location, section: conf.name, param: 'remove_keys' });
      }
    });
    const keepKeys = (params.keep_keys ?? []) as string[];
    const renew = params.renew_record;
    const renewTimeKey = params.renew_time_key;
    const timeToS = createTimeFormatter({ localtime: true, utc: false, time_format: '%Y-%m-%d %H:%M:%S %z' });
    const hostname = osHostname();

    return {
      filter(tag, batch) {
        const tagParts = tag.split('.');
        while (tagParts.length > 0 && tagParts[tagParts.length - 1] === '') tagParts.pop(); // as Ruby's split
        let sec = 0;
        let nsec = 0;
        const scope: TemplateScope = {
          tag, tagParts, tagPrefix: tagPrefixes(tagParts), tagSuffix: tagSuffixes(tagParts), hostname,
          time: () => timeToS(sec, nsec), record: {},
        };
        const out = new EventBatch();
        for (let i = 0; i < batch.length; i++) {
          sec = batch.secs[i]!;
          nsec = batch.nsecs[i]!;
          const record = batch.records[i]!;
          try {
            scope.record = record;
            const next: EventRecord = renew ? {} : { ...record };
            if (renew) for (const k of keepKeys) if (Object.hasOwn(record, k)) next[k] = record[k];
            for (let f = 0; f < fields.length; f++) next[keyTemplates[f]!(scope) as string] = fields[f]![1](scope);
            let outSec = sec;
            let outNsec = nsec;
            if (renewTimeKey !== undefined && Object.hasOwn(next, renewTimeKey)) {
              const t = timeFromFloat(next[renewTimeKey]);
              outSec = t[0];
              outNsec = t[1];
            }
            for (const d of deleters) d.delete(next);
            out.add(outSec, outNsec, next);
          } catch (err) {
            ctx.emitError(tag, sec, nsec, record, err as Error);
          }
        }
        return out.length > 0 ? out : null;
      },
    };
  },
});

/** A <record> value: JSON when it starts with `{` or `[` (a string, with a warning, if that fails). */
function parseValue(raw: string, log: { warn(obj: unknown, msg?: string): void }): unknown {
  if (!raw.startsWith('{') && !raw.startsWith('[')) return raw;
  try {
    return JSON.parse(raw);
  } catch (err) {
    log.warn({ error: (err as Error).message }, `failed to parse ${raw} as json. Assuming ${raw} is a string`);
    return raw;
  }
}

/** Time.at(value.to_f) as [sec, nsec]: Ruby's to_f of the value (0.0 for what is not a number). */
function timeFromFloat(value: unknown): [number, number] {
  const f = typeof value === 'number' ? value : typeof value === 'string' ? toFloat(value) : 0;
  const sec = Math.floor(f);
  return [sec, Math.floor((f - sec) * 1e9)];
}
