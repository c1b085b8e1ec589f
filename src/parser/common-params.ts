import { p } from '../plugin-api/index.ts';

/** Per-parser defaults of the common parameters (Fluentd's config_set_default). */
export interface CommonDefaults {
  time_key?: string;
  time_type?: 'string' | 'unixtime' | 'float' | 'mixed';
  time_format?: string;
}

const TIME_TYPES = ['string', 'unixtime', 'float', 'mixed'] as const;

/**
 * The parameters every parser has (Fluentd's Parser base class and TimeMixin::Parser), to spread into a parser's
 * schema: `params: z.object({ ...commonParserParams({ time_key: 'time' }), expression: p.regexp() })`.
 */
export function commonParserParams(defaults: CommonDefaults = {}) {
  const timeKey = p.string().describe('The field holding the event time; removed from the record unless keep_time_key.');
  const timeFormat = p.string().describe('strptime format of the time field (%iso8601 allowed); unset: Ruby Time.parse.');
  return {
    time_key: defaults.time_key === undefined ? timeKey.optional() : timeKey.default(defaults.time_key),
    time_format: defaults.time_format === undefined ? timeFormat.optional() : timeFormat.default(defaults.time_format),
    time_type: p.enum(TIME_TYPES).default(defaults.time_type ?? 'string')
      .describe('How the time field is read: string (time_format), unixtime, float, or mixed (time_format then fallbacks).'),
    time_format_fallbacks: p.array().default([])
      .describe('With time_type mixed: formats (or unixtime/float) tried in order after time_format.'),
    localtime: p.bool().default(true).describe('Times without a zone are local time.'),
    utc: p.bool().default(false).describe('Times without a zone are UTC.'),
    timezone: p.string().optional().describe('Zone of times without one: +09:00, +0900, +09 or Asia/Tokyo.'),
    keep_time_key: p.bool().default(false).describe('Keep the time field in the record.'),
    estimate_current_event: p.bool().default(true).describe('Use the current time when the record has no time field.'),
    types: p.hash('string').optional()
      .describe('Value conversions: name:type,... with string, integer, float, bool, time[:zone][:format], array[:delim].'),
    null_value_pattern: p.regexp().optional().describe('String values matching this regexp become null.'),
    null_empty_string: p.bool().default(false).describe('Empty string values become null.'),
    timeout: p.unsupported('a synchronous parse cannot be interrupted in Node; bound your regexps instead (see README)')
      .describe('Not supported: per-line parse timeout.'),
  };
}
