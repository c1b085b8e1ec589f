import type { ConfigElement } from '../plugin-api/index.ts';
import { ConfigError, p } from '../plugin-api/index.ts';
import { compileStrftime } from '../time/strftime.ts';
import { resolveZone } from '../time/zone.ts';

/** Fluentd's TimeMixin::TIME_PARAMETERS, as used by formatters and <inject>. */
export const timeParams = {
  time_format: p.string().optional().describe('strftime format of the time; unset: ISO-8601 seconds.'),
  localtime: p.bool().default(true).describe('Format the time in the local time zone.'),
  utc: p.bool().default(false).describe('Format the time in UTC.'),
  timezone: p.string().optional().describe('Format the time in this zone (+09:00, Asia/Tokyo).'),
  time_format_fallbacks: p.array().default([]).describe('Used by parsers only; accepted for compatibility.'),
};

/** `time_type` of formatters (TimeMixin::TIME_FULL_PARAMETERS). */
export const timeTypeParam = (def: 'string' | 'float') =>
  p.enum(['string', 'unixtime', 'float', 'mixed']).default(def).describe('string (time_format), unixtime, float or mixed.');

export interface TimeZoneChoice {
  time_format?: string | undefined;
  localtime: boolean;
  utc: boolean;
  timezone?: string | undefined;
}

/** Formats an event time (epoch seconds + nanoseconds) as text. */
export type TimeFormatter = (sec: number, nsec: number) => string;

/**
 * Fluentd's TimeFormatter: `time_format` through strftime, or ISO-8601 seconds without it; in `timezone` if set,
 * else local time unless `utc` or `localtime false`. ISO-8601 writes `Z` only for utc (a local zone at +00:00
 * gives `+00:00`, as Ruby's Time#iso8601 does). The last two seconds formatted are cached when the format has no
 * sub-second part, as in Fluentd.
 */
export function createTimeFormatter(choice: TimeZoneChoice, conf?: ConfigElement): TimeFormatter {
  const zoneSpec = choice.timezone ?? (choice.localtime && !choice.utc ? 'localtime' : 'UTC-Z');
  let zone;
  try {
    zone = resolveZone(zoneSpec === 'UTC-Z' ? 'UTC' : zoneSpec);
  } catch (err) {
    throw new ConfigError(`Unsupported timezone '${choice.timezone}': ${(err as Error).message}`, {
      location: conf?.attrLocations.timezone ?? conf?.location, section: conf?.name, param: 'timezone',
    });
  }
  const isUtc = zoneSpec === 'UTC-Z';
  const format = choice.time_format;
  const render: TimeFormatter = format === undefined
    ? (sec) => iso8601(sec, zone.offsetAt(sec), isUtc)
    : compileStrftime(format, zone);
  if (format !== undefined && /(^|[^%])(%%)*%(L|\d*N)/.test(format)) return render;
  let lastSec = NaN;
  let lastText = '';
  let prevSec = NaN;
  let prevText = '';
  return (sec, nsec) => {
    if (sec === lastSec) return lastText;
    if (sec === prevSec) return prevText;
    prevSec = lastSec;
    prevText = lastText;
    lastSec = sec;
    lastText = render(sec, nsec);
    return lastText;
  };
}

/**
 * A formatter's time (Fluentd's time_formatter_create): text per time_format for `string`, else Fluentd's
 * NumericTimeFormatter: `unixtime` gives the seconds; `float` and `mixed` give `sec.nsec`.
 */
export function createEventTimeFormatter(params: TimeZoneChoice & { time_type: string }, conf: ConfigElement): TimeFormatter {
  if (params.time_type === 'unixtime') return (sec) => String(sec);
  if (params.time_type !== 'string') return floatTimeText;
  return createTimeFormatter(resolveLocaltime(params, conf), conf);
}

/**
 * Fluentd's NumericTimeFormatter#format_float, including its padding slip: a nanosecond part shorter than nine
 * digits is replaced by (9 - length) zeros instead of being left-padded (1.000000005 prints as `1.00000000`).
 */
function floatTimeText(sec: number, nsec: number): string {
  const digits = String(nsec);
  return `${sec}.${digits.length < 9 ? '0'.repeat(9 - digits.length) : digits}`;
}

/** Ruby's Time#iso8601 (seconds): `2016-07-26T21:08:30-07:00`, or `...Z` for a UTC time. */
function iso8601(sec: number, offsetSec: number, isUtc: boolean): string {
  const d = new Date((sec + offsetSec) * 1000);
  const date = `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (isUtc) return `${date}T${time}Z`;
  const abs = Math.abs(offsetSec);
  return `${date}T${time}${offsetSec < 0 ? '-' : '+'}${pad2(Math.floor(abs / 3600))}:${pad2(Math.floor(abs / 60) % 60)}`;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number) => String(n).padStart(4, '0');

/**
 * Fluentd's TimeParameters#configure check: `localtime` and `utc` given together must agree (one true, one false);
 * `localtime` wins over `utc` when only it is given.
 */
export function resolveLocaltime(params: TimeZoneChoice, conf: ConfigElement): TimeZoneChoice {
  const hasLocal = 'localtime' in conf.attrs;
  const hasUtc = 'utc' in conf.attrs;
  if (hasLocal && hasUtc && params.localtime === params.utc) {
    throw new ConfigError('both of utc and localtime are specified, use only one of them', {
      location: conf.attrLocations.utc ?? conf.location, section: conf.name, param: 'utc',
    });
  }
  const localtime = hasLocal ? params.localtime : hasUtc ? !params.utc : params.localtime;
  return { ...params, localtime, utc: hasLocal ? !localtime : params.utc };
}
