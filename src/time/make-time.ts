import type { EventTime } from '../event/event-time.ts';
import { daysFromCivil, wallTime } from './calendar.ts';
import { wallToEpoch, type Zone } from './zone.ts';
import { zoneOffset } from './zone-offset.ts';

/** A per-parse scratch record of the fields a text gave; undefined means absent. */
export class Fields {
  year: number | undefined;
  century: number | undefined;
  month: number | undefined;
  day: number | undefined;
  yday: number | undefined;
  hour: number | undefined;
  minute: number | undefined;
  second: number | undefined;
  nsec: number | undefined;
  meridian: number | undefined;
  zone: string | undefined;
  epoch: number | undefined;
  epochMs: number | undefined;

  reset(): void {
    this.year = this.century = this.month = this.day = this.yday = this.hour = this.minute = this.second = undefined;
    this.nsec = this.meridian = this.epoch = this.epochMs = undefined;
    this.zone = undefined;
  }
}

/** A fraction's digits as nanoseconds: the first nine digits, zero-padded (Ruby truncates, never rounds). */
export function fractionNsec(digits: string): number {
  return digits.length >= 9 ? Number(digits.slice(0, 9)) : Number(digits) * 10 ** (9 - digits.length);
}

/**
 * The instant the fields name, as Ruby's Time.strptime/make_time computes it: epoch seconds win; a zone in the text
 * makes the time absolute; missing leading fields come from the current time in that zone (a year-less syslog time
 * takes this year), later ones default to their minimum.
 */
export function makeTime(f: Fields, zone: Zone): EventTime | null {
  if (f.epoch !== undefined) {
    const nsec = f.nsec ?? 0;
    return f.epoch < 0 && nsec > 0 ? { sec: f.epoch - 1, nsec: 1e9 - nsec } : { sec: f.epoch, nsec };
  }
  if (f.epochMs !== undefined) {
    const sec = Math.floor(f.epochMs / 1000);
    return { sec, nsec: (f.epochMs - sec * 1000) * 1e6 };
  }
  if (f.year === undefined && f.yday === undefined && f.month === undefined && f.day === undefined && f.hour === undefined &&
    f.minute === undefined && f.second === undefined && f.nsec === undefined) return null;
  if (f.year !== undefined && f.century !== undefined) f.year += f.century * 100;
  if (f.meridian !== undefined && f.hour !== undefined) f.hour = (f.hour % 12) + f.meridian;
  const offset = f.zone === undefined ? undefined : zoneOffset(f.zone);
  if (f.year === undefined || (f.yday === undefined && f.month === undefined)) fillFromNow(f, offset, zone);
  const days = f.yday !== undefined && f.month === undefined
    ? daysFromCivil(f.year!, 1, 1) + f.yday - 1
    : daysFromCivil(f.year!, f.month ?? 1, f.day ?? 1);
  const local = days * 86400 + (f.hour ?? 0) * 3600 + (f.minute ?? 0) * 60 + (f.second ?? 0);
  return { sec: offset !== undefined ? local - offset : wallToEpoch(zone, local), nsec: f.nsec ?? 0 };
}

/** make_time's `now` filling: the leading absent fields (up to the first present one) are the current time's. */
function fillFromNow(f: Fields, offset: number | undefined, zone: Zone): void {
  const ms = Date.now();
  const nowSec = Math.floor(ms / 1000);
  const now = wallTime(nowSec, offset ?? zone.offsetAt(nowSec));
  if (f.year !== undefined) return;
  f.year = now.year;
  if (f.yday !== undefined || f.month !== undefined) return;
  f.month = now.month;
  if (f.day !== undefined) return;
  f.day = now.day;
  if (f.hour !== undefined) return;
  f.hour = now.hour;
  if (f.minute !== undefined) return;
  f.minute = now.minute;
  if (f.second !== undefined) return;
  f.second = now.second;
  f.nsec ??= (ms - nowSec * 1000) * 1e6;
}

