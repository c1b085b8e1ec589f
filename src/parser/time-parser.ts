import type { EventTime } from '../event/event-time.ts';
import { rubyToS } from '../formatter/ruby-inspect.ts';
import { ConfigError } from '../plugin-api/errors.ts';
import { compileTimeParser } from '../time/strptime.ts';
import { resolveZone } from '../time/zone.ts';
import { parseFloatTime, parseUnixtime, TimeParseError } from './numeric-time.ts';

/** Fluentd's time parameters as a parser resolved them (TimeMixin::Parser). */
export interface TimeSettings {
  type: 'string' | 'unixtime' | 'float' | 'mixed';
  format: string | undefined;
  fallbacks: readonly string[];
  localtime: boolean;
  utc: boolean;
  timezone: string | undefined;
}

export interface EventTimeParser {
  /** Throws TimeParseError with Fluentd's message. */
  parse(value: unknown): EventTime;
}

const NUMERIC_ZONE = /^[+-]\d\d(:?\d\d)?$/;
const NAMED_ZONE = /^[^/]+\/[^/]+(\/[^/]+)?$/;

/** Fluent::Timezone.validate: [+-]HH[:]MM, [+-]HH, or a Region/Zone known to the zone database. */
export function isValidTimezone(timezone: string | undefined): boolean {
  if (timezone === undefined) return false;
  if (NUMERIC_ZONE.test(timezone)) return true;
  if (!NAMED_ZONE.test(timezone)) return false;
  try {
    resolveZone(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Fluentd's time_parser_create: numeric, mixed, or a strptime/Time.parse parser in the right zone. */
export function createEventTimeParser(s: TimeSettings): EventTimeParser {
  if (s.timezone !== undefined && !isValidTimezone(s.timezone)) {
    throw new ConfigError(`Unsupported timezone '${s.timezone}'`);
  }
  if (s.type === 'unixtime') return new CachedTimeParser(parseUnixtime, acceptsStringOrNumber);
  if (s.type === 'float') return new CachedTimeParser(parseFloatTime, acceptsStringOrNumber);
  if (s.type === 'mixed') return mixedParser(s);
  return stringParser(s.format, s.localtime && s.timezone === undefined && !s.utc, s.timezone);
}

/** Fluentd's TimeParser: string values only; zone from the format (%z/%Z), else timezone, local, or UTC. */
function stringParser(format: string | undefined, localtime: boolean, timezone: string | undefined): EventTimeParser {
  if (format === undefined && (timezone !== undefined || !localtime)) {
    throw new ConfigError('specifying timezone requires time format');
  }
  const zone = resolveZone(timezone ?? (localtime ? 'localtime' : 'UTC'));
  const parse = compileTimeParser({ format, fallbacks: [], type: 'string', zone }) as (text: string) => EventTime;
  return new CachedTimeParser((value) => {
    try {
      return parse(value as string);
    } catch (err) {
      const e = err as Error;
      throw new TimeParseError(`invalid time format: value = ${value as string}, error_class = ArgumentError, error = ${e.message}`);
    }
  }, acceptsString);
}

function mixedParser(s: TimeSettings): EventTimeParser {
  const parsers: Array<{ numeric: boolean; parser: EventTimeParser }> = [];
  for (const fallback of [s.format, ...s.fallbacks]) {
    if (fallback === undefined) continue;
    if (fallback === 'unixtime' || fallback === 'float') {
      parsers.push({ numeric: true, parser: createEventTimeParser({ ...s, type: fallback }) });
    } else {
      const localtime = s.localtime && s.timezone === undefined && !s.utc;
      parsers.push({ numeric: false, parser: stringParser(fallback, localtime, s.timezone) });
    }
  }
  const classes = parsers.map((p) => (p.numeric ? 'Fluent::NumericTimeParser' : 'Fluent::TimeParser')).join(',');
  return {
    parse(value) {
      for (const { numeric, parser } of parsers) {
        if (numeric && !isRubyFloat(value)) continue;
        try {
          return parser.parse(value);
        } catch {
          // the next format is tried, as in Fluentd
        }
      }
      throw new TimeParseError(`invalid time format: value = ${rubyToS(value)}, even though fallbacks: ${classes}`);
    },
  };
}

/** Ruby's Float(value) succeeds: a number, or a string that is entirely a decimal/hex number. */
function isRubyFloat(value: unknown): boolean {
  if (typeof value === 'number') return true;
  if (typeof value !== 'string') return false;
  return /^\s*[+-]?(\d+(_\d+)*(\.\d+(_\d+)*)?([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)\s*$/.test(value);
}

function acceptsString(value: unknown): void {
  if (typeof value !== 'string') throw new TimeParseError(`value must be string: ${rubyToS(value)}`);
}

function acceptsStringOrNumber(): void {
  // the numeric parsers check the value themselves, with their own message
}

/**
 * Fluentd's two-entry cache in front of a time parser: consecutive log lines mostly repeat the same time text, so
 * a line usually costs one string comparison instead of a strptime.
 */
class CachedTimeParser implements EventTimeParser {
  private key1: unknown = undefined;
  private time1: EventTime | null = null;
  private key2: unknown = undefined;
  private time2: EventTime | null = null;

  constructor(
    private readonly parseUncached: (value: unknown) => EventTime,
    private readonly check: (value: unknown) => void,
  ) {}

  parse(value: unknown): EventTime {
    if (this.time2 !== null && this.key2 === value) return this.time2;
    if (this.time1 !== null && this.key1 === value) return this.time1;
    this.check(value);
    const time = this.parseUncached(value);
    this.key1 = this.key2;
    this.time1 = this.time2;
    this.key2 = value;
    this.time2 = time;
    return time;
  }
}
