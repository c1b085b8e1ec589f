import { defineFilter, EventBatch, p, ParserError, z } from '../src/plugin-api/index.ts';
import type { EventRecord } from '../src/plugin-api/index.ts';
import { ForeignParseError } from '../src/parser/errors.ts';
import { rubyClassName } from '../src/parser/ruby-values.ts';
import { configError } from '../src/parser/parser-core.ts';
import { createRecordAccessor, type RecordAccessor } from '../src/plugin-helpers/record-accessor.ts';

/**
 * Fluentd's filter_parser: parses one field of each record with the <parse> section and replaces the record with
 * the result (or merges it in with reserve_data). A record whose field is missing or does not parse goes to the
 * error route (@ERROR, else the log), as Fluentd's emit_error_event, unless emit_invalid_record_to_error is false.
 */
export default defineFilter({
  type: 'parser',
  description: 'Parse a field of each record with a <parse> section.',
  helpers: ['parse'],
  params: z.object({
    key_name: p.string().describe('The field to parse (a record_accessor path like $.data.log works).'),
    reserve_data: p.bool().default(false).describe('Keep the original fields next to the parsed ones.'),
    reserve_time: p.bool().default(false).describe('Keep the original event time instead of the parsed one.'),
    remove_key_name_field: p.bool().default(false).describe('Remove key_name from the record when parsing succeeds.'),
    inject_key_prefix: p.string().optional().describe('Prefix added to the parsed field names.'),
    replace_invalid_sequence: p.bool().default(false)
      .describe('Accepted; logferry strings never hold invalid byte sequences (inputs decode them to U+FFFD).'),
    hash_value_field: p.string().optional().describe('Put the parsed fields under this one field.'),
    emit_invalid_record_to_error: p.bool().default(true).describe('Send records that fail to parse to @ERROR.'),
  }),
  async create(ctx, params, conf) {
    let accessor: RecordAccessor;
    try {
      accessor = createRecordAccessor(params.key_name);
    } catch (err) {
      throw configError(conf, 'key_name', (err as Error).message);
    }
    const parser = await ctx.createParser(conf.elements.find((e) => e.name === 'parse'));
    const { key_name: keyName, reserve_data: reserveData, reserve_time: reserveTime } = params;
    const removeKeyName = params.remove_key_name_field;
    const prefix = params.inject_key_prefix;
    const hashField = params.hash_value_field;
    const emitInvalid = params.emit_invalid_record_to_error;
    const scratch = new EventBatch();

    function handleParsed(record: EventRecord, parsed: EventRecord): EventRecord {
      let values = parsed;
      if (prefix !== undefined) {
        values = {};
        for (const k in parsed) values[prefix + k] = parsed[k];
      }
      const r = hashField !== undefined ? { [hashField]: values } : values;
      return reserveData ? { ...record, ...r } : r;
    }

    return {
      filter(tag, batch) {
        const out = new EventBatch();
        for (let i = 0; i < batch.length; i++) {
          const record = batch.records[i]!;
          const sec = batch.secs[i]!;
          const nsec = batch.nsecs[i]!;
          const raw = accessor.get(record);
          if (raw === undefined || raw === null) {
            if (reserveData) out.add(sec, nsec, handleParsed(record, {}));
            if (emitInvalid) ctx.emitError(tag, sec, nsec, record, argumentError(`${keyName} does not exist`));
            continue;
          }
          scratch.secs.length = 0;
          scratch.nsecs.length = 0;
          scratch.records.length = 0;
          let matched = false;
          let failure: Error | null = null;
          try {
            if (typeof raw !== 'string') {
              throw new ForeignParseError(`no implicit conversion of ${rubyClassName(raw)} into String`);
            }
            matched = parser.parse(raw, scratch);
          } catch (err) {
            failure = err as Error;
          }
          for (let j = 0; j < scratch.length; j++) {
            const t = scratch.secs[j]!;
            const keep = reserveTime || Number.isNaN(t);
            if (removeKeyName) accessor.delete(record);
            out.add(keep ? sec : t, keep ? nsec : scratch.nsecs[j]!, handleParsed(record, scratch.records[j]!));
          }
          if (failure !== null) {
            if (emitInvalid) ctx.emitError(tag, sec, nsec, record, asParserError(failure));
          } else if (!matched) {
            if (emitInvalid) ctx.emitError(tag, sec, nsec, record, new ParserError(`pattern not matched with data '${raw}'`));
            if (reserveData) out.add(sec, nsec, handleParsed(record, {}));
          }
        }
        return out;
      },
    };
  },
});

function argumentError(message: string): Error {
  const err = new Error(message);
  err.name = 'ArgumentError';
  return err;
}

/** Fluentd re-raises its ParserError as is and wraps anything else as "parse failed <message>". */
function asParserError(err: Error): Error {
  if (err instanceof ParserError && !(err instanceof ForeignParseError)) return err;
  return new ParserError(`parse failed ${err.message}`);
}
