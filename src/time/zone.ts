import { localAbbreviation } from './tz-abbreviation.ts';

/** A time zone as Fluentd's Timezone/TimeMixin resolve it: UTC, a fixed offset, an IANA zone, or the process's local time. */
export interface Zone {
  name: string;
  /** Seconds east of UTC at the instant `sec` (epoch seconds). */
  offsetAt(sec: number): number;
  /**
   * What Ruby's strftime %Z prints: `UTC` for UTC, the local abbreviation (`JST`, `EDT`) for localtime, and '' for a
   * fixed offset or an IANA zone (Fluentd formats those through Time#localtime(offset), which has no zone name).
   */
  abbreviationAt(sec: number): string;
  /** The offset never changes. */
  fixed: boolean;
  /** Ruby's UTC mode: Time#iso8601 writes `Z`, %Z writes `UTC`. A `+00:00` zone is not UTC in this sense. */
  utc: boolean;
}

/** Fluent::Timezone::NUMERIC_PATTERN and NAME_PATTERN. */
const NUMERIC = /^([+-])(\d\d)(?::?(\d\d))?$/;
const NAMED = /^[^/]+\/[^/]+(\/[^/]+)?$/;
const QUARTER = 900; // zone offsets change on quarter-hour boundaries at most
const cache = new Map<string, Zone>();

export const UTC_ZONE: Zone = { name: 'UTC', fixed: true, utc: true, offsetAt: () => 0, abbreviationAt: () => 'UTC' };

/**
 * `+09:00`, `+0900`, `+09`, `UTC`/`Z`, an IANA name (`Asia/Tokyo`, `America/Argentina/Buenos_Aires`; DST-correct),
 * or `localtime` (the process TZ). `opts.utc` forces UTC; without a spec, `opts.localtime === false` means UTC and
 * anything else the local time. Anything else throws an Error naming the value (Fluent::Timezone.validate!).
 */
export function resolveZone(spec: string | undefined, opts: { utc?: boolean; localtime?: boolean } = {}): Zone {
  const name = opts.utc ? 'UTC' : spec ?? (opts.localtime === false ? 'UTC' : 'localtime');
  let zone = cache.get(name);
  if (zone === undefined) {
    zone = build(name);
    cache.set(name, zone);
  }
  return zone;
}

function build(name: string): Zone {
  if (name === 'UTC' || name === 'Z') return UTC_ZONE;
  const m = NUMERIC.exec(name);
  if (m !== null) {
    const hours = Number(m[2]);
    const minutes = Number(m[3] ?? 0);
    if (hours > 23 || minutes > 59) throw new Error(`Unsupported timezone '${name}': offset out of range`);
    const offset = (m[1] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
    return { name, fixed: true, utc: false, offsetAt: () => offset, abbreviationAt: () => '' };
  }
  if (name === 'localtime') {
    const offsetAt = quarterCached((sec) => -new Date(sec * 1000).getTimezoneOffset() * 60);
    return { name, fixed: false, utc: false, offsetAt, abbreviationAt: (sec) => localAbbreviation(sec, offsetAt(sec)) };
  }
  if (!NAMED.test(name)) {
    throw new Error(`Unsupported timezone '${name}' (expected [+-]HH:MM, [+-]HHMM, [+-]HH, UTC, localtime or a Region/Zone name such as Asia/Tokyo)`);
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new Error(`Unsupported timezone '${name}': not in the time zone database`);
  }
  return { name, fixed: false, utc: false, offsetAt: quarterCached((sec) => intlOffset(format, sec)), abbreviationAt: () => '' };
}

function intlOffset(format: Intl.DateTimeFormat, sec: number): number {
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const p of format.formatToParts(new Date(sec * 1000))) {
    if (p.type === 'year') year = Number(p.value);
    else if (p.type === 'month') month = Number(p.value);
    else if (p.type === 'day') day = Number(p.value);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
    else if (p.type === 'second') second = Number(p.value);
  }
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime() / 1000 - sec;
}

/**
 * An offset lookup cached per quarter hour: the last quarter in two variables (events arrive in time order), older
 * ones in a bounded map, so a stream of events costs a comparison, not an Intl or Date call.
 */
function quarterCached(lookup: (sec: number) => number): (sec: number) => number {
  const byQuarter = new Map<number, number>();
  let lastQuarter = NaN;
  let lastOffset = 0;
  return (sec) => {
    const quarter = Math.floor(sec / QUARTER);
    if (quarter === lastQuarter) return lastOffset;
    let offset = byQuarter.get(quarter);
    if (offset === undefined) {
      offset = lookup(quarter * QUARTER);
      if (byQuarter.size >= 8192) byQuarter.clear();
      byQuarter.set(quarter, offset);
    }
    lastQuarter = quarter;
    lastOffset = offset;
    return offset;
  };
}

/**
 * The instant of a wall-clock time `local` (seconds since the epoch as if the zone were UTC), as Ruby's Time.local
 * resolves it: in a gap (spring forward) the offset from before the change applies, so 02:30 becomes 03:30 DST; an
 * ambiguous time (fall back) is the first occurrence.
 */
export function wallToEpoch(zone: Zone, local: number): number {
  if (zone.fixed) return local - zone.offsetAt(local);
  const before = zone.offsetAt(local - 86400);
  const after = zone.offsetAt(local + 86400);
  if (before === after) {
    const offset = zone.offsetAt(local - before);
    return zone.offsetAt(local - offset) === offset ? local - offset : local - before;
  }
  const first = local - before;
  const second = local - after;
  const firstValid = zone.offsetAt(first) === before;
  const secondValid = zone.offsetAt(second) === after;
  if (firstValid && secondValid) return Math.min(first, second);
  if (secondValid) return second;
  return first;
}
