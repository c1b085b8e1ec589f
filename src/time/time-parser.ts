import type { EventTime } from '../event/event-time.ts';
import { rubyToS } from '../formatter/ruby-inspect.ts';
import { parseFloatTime, parseUnixtime, TimeParseError } from '../parser/numeric-time.ts';
import { parseIso8601, parseRubyTimeFlexible } from './flexible.ts';
import { compileStrptime } from './strptime-format.ts';
import { resolveZone, type Zone } from './zone.ts';

export { TimeParseError };

export type TimeType = 'string' | 'unixtime' | 'float' | 'mixed';

/**
 * Fluentd's NumericTimeParser: `unixtime` is `value.to_i` seconds; `float` splits the text at `.` and pads or cuts
 * the fraction to nanoseconds (`"100.1"` is 100 s + 100000000 ns), with no float rounding.
 */
export function parseNumericTime(value: unknown, type: 'unixtime' | 'float'): EventTime {
  return type === 'unixtime' ? parseUnixtime(value) : parseFloatTime(value);
}

/** The strptime engine Fluentd would pick: the strptime gem takes formats made only of these; Time.strptime the rest. */
const GEM_FORMAT = /^(?:[^%]|%[BHMNSYbdehmnyz])*$/;

/**
 * Fluentd's TimeParser for one string format (its error text says which Ruby engine failed): strptime, `%iso8601`
 * (Time.iso8601, zone-less texts in the process's local time as in Fluentd), or Time.parse without a format.
 */
function stringParser(format: string | undefined, zone: Zone): (value: unknown) => EventTime {
  let parse: (text: string) => EventTime;
  if (format === undefined) {
    if (zone.name !== 'localtime') throw new Error('specifying timezone requires time format');
    parse = (text) => parseRubyTimeFlexible(text, zone);
  } else if (format === '%iso8601') {
    const local = resolveZone('localtime');
    parse = (text) => parseIso8601(text, local);
  } else {
    const strptime = compileStrptime(format, { zone });
    const gem = GEM_FORMAT.test(format) && !format.includes('%%');
    parse = (text) => {
      const time = strptime(text);
      if (time === null) throw new TimeParseError(gem ? "string doesn't match" : `invalid date or strptime format - \`${text}' \`${format}'`);
      return time;
    };
  }
  return (value) => {
    if (typeof value !== 'string') throw new TimeParseError(`value must be string: ${rubyToS(value)}`);
    try {
      return parse(value);
    } catch (err) {
      throw new TimeParseError(`invalid time format: value = ${value}, error_class = ArgumentError, error = ${(err as Error).message}`);
    }
  };
}

/** Ruby's Kernel#Float accepts the value: a number, or a string that is wholly a decimal or hex number. */
function floatLike(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && /^\s*[+-]?(?:\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)\s*$/.test(value);
}

/**
 * The one entry point parsers call for a record's time value, as Fluentd's time_parser_create builds it:
 * `string` (time_format through strptime, `%iso8601`, or Time.parse when unset), `unixtime`, `float`, or `mixed`
 * (time_format then time_format_fallbacks in order, where `unixtime`/`float` are tried only on numeric values).
 * Throws TimeParseError with Fluentd's message. `zone` applies to formats without a zone.
 */
export function compileTimeParser(opts: { format?: string | undefined; fallbacks?: readonly string[]; type?: TimeType; zone: Zone }): (value: unknown) => EventTime {
  const type = opts.type ?? 'string';
  const fallbacks = opts.fallbacks ?? [];
  if (type !== 'mixed') {
    if (fallbacks.length > 0) throw new Error(`time_format_fallbacks needs time_type mixed (time_type is ${type})`);
    if (type === 'unixtime' || type === 'float') return (value) => parseNumericTime(value, type);
    return stringParser(opts.format, opts.zone);
  }
  const candidates = [opts.format, ...fallbacks].filter((f): f is string => f !== undefined).map((format) => {
    const numeric = format === 'unixtime' || format === 'float';
    return { numeric, parse: numeric ? (value: unknown) => parseNumericTime(value, format) : stringParser(format, opts.zone) };
  });
  if (candidates.length === 0) throw new Error('time_type is :mixed but time_format and time_format_fallbacks is empty.');
  const classes = candidates.map((c) => (c.numeric ? 'Fluent::NumericTimeParser' : 'Fluent::TimeParser')).join(',');
  return (value) => {
    for (const { numeric, parse } of candidates) {
      if (numeric && !floatLike(value)) continue;
      try {
        return parse(value);
      } catch {
        // the next format is tried, as in Fluentd
      }
    }
    throw new TimeParseError(`invalid time format: value = ${rubyToS(value)}, even though fallbacks: ${classes}`);
  };
}
