import type { EventTime } from '../event/event-time.ts';
import { ConfigError } from '../plugin-api/errors.ts';
import { compileTimeParser } from '../time/strptime.ts';
import { resolveZone } from '../time/zone.ts';
import { TimeParseError } from './numeric-time.ts';

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

/** Fluentd's time_parser_create: numeric, mixed, or a strptime/Time.parse parser in the right zone, behind a cache. */
export function createEventTimeParser(s: TimeSettings): EventTimeParser {
  if (s.timezone !== undefined && !isValidTimezone(s.timezone)) {
    throw new ConfigError(`Unsupported timezone '${s.timezone}'`);
  }
  // Zone for formats without %z/%Z: timezone, else local time unless utc.
  const localtime = s.localtime && s.timezone === undefined && !s.utc;
  const zone = resolveZone(s.timezone ?? (localtime ? 'localtime' : 'UTC'));
  try {
    return new CachedTimeParser(compileTimeParser({ format: s.format, fallbacks: s.fallbacks, type: s.type, zone }));
  } catch (err) {
    if (err instanceof TimeParseError) throw err;
    throw new ConfigError((err as Error).message);
  }
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

  constructor(private readonly parseUncached: (value: unknown) => EventTime) {}

  parse(value: unknown): EventTime {
    if (this.time2 !== null && this.key2 === value) return this.time2;
    if (this.time1 !== null && this.key1 === value) return this.time1;
    const time = this.parseUncached(value);
    this.key1 = this.key2;
    this.time1 = this.time2;
    this.key2 = value;
    this.time2 = time;
    return time;
  }
}
