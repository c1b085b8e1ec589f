import type { ConfigElement, EventRecord, PluginContext } from '../plugin-api/index.ts';
import { ConfigError, p, readSection, z } from '../plugin-api/index.ts';
import { rubyToS } from '../formatter/ruby-inspect.ts';
import { timeParams } from '../formatter/time-formatter.ts';
import { createEventTimeParser } from '../parser/time-parser.ts';

/** Fluentd's <extract> section (plugin_helper/extract.rb). */
export const extractParams = z.object({
  tag_key: p.string().optional().describe('Take the event tag from this field.'),
  keep_tag_key: p.bool().default(false).describe('Leave the tag field in the record.'),
  time_key: p.string().optional().describe('Take the event time from this field.'),
  keep_time_key: p.bool().default(false).describe('Leave the time field in the record.'),
  time_type: p.enum(['float', 'unixtime', 'string']).default('float').describe('float, unixtime, or string (time_format).'),
  ...timeParams,
});

/** What an extractor found in one record: `tag` undefined and `sec` NaN when the field is absent. */
export interface Extracted {
  tag: string | undefined;
  sec: number;
  nsec: number;
}

/**
 * Reads the tag and time fields of a record into `into`, removing them unless kept. Throws the time parser's
 * error for a time that does not parse (Fluentd raises TimeParseError to the plugin).
 */
export type Extractor = (record: EventRecord, into: Extracted) => void;

/**
 * Builds Fluentd's extract_tag_from_record / extract_time_from_record for an <extract> section; undefined when
 * there is no section or it names neither key, so callers skip it entirely.
 */
export function createExtractor(section: ConfigElement | undefined, ctx: PluginContext): Extractor | undefined {
  if (!section) return undefined;
  const params = readSection(extractParams, section, { log: ctx.log });
  const { tag_key: tagKey, keep_tag_key: keepTag, time_key: timeKey, keep_time_key: keepTime } = params;
  if (timeKey === undefined && params.time_format !== undefined) {
    ctx.log.warn({}, "'time_format' specified without 'time_key', will be ignored");
  }
  if (tagKey === undefined && timeKey === undefined) return undefined;
  const parser = timeKey === undefined ? undefined : timeParserOf(params, section);
  return (record, into) => {
    into.tag = undefined;
    into.sec = NaN;
    into.nsec = 0;
    if (tagKey !== undefined && Object.hasOwn(record, tagKey)) {
      const v = record[tagKey];
      if (!keepTag) delete record[tagKey];
      into.tag = rubyToS(v);
    }
    if (parser !== undefined && Object.hasOwn(record, timeKey!)) {
      const v = record[timeKey!];
      if (!keepTime) delete record[timeKey!];
      const t = parser.parse(v);
      into.sec = t.sec;
      into.nsec = t.nsec;
    }
  };
}

function timeParserOf(params: z.output<typeof extractParams>, section: ConfigElement) {
  try {
    return createEventTimeParser({
      type: params.time_type, format: params.time_format, fallbacks: [],
      localtime: params.localtime, utc: params.utc, timezone: params.timezone,
    });
  } catch (err) {
    throw new ConfigError((err as Error).message, { location: section.location, section: 'extract' });
  }
}
