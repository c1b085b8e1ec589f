import type { EventTime } from '../event/event-time.ts';
import { MONTH_NAMES } from './calendar.ts';
import { Fields, fractionNsec, makeTime } from './make-time.ts';
import { TimeParseError } from '../parser/numeric-time.ts';
import { resolveZone, type Zone } from './zone.ts';

/** Ruby's Time.xmlschema (= Time.iso8601): date, `T`, time, optional fraction and zone; or a date alone. */
const XMLSCHEMA = /^\s*(-?\d+)-(\d\d)-(\d\d)(?:[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?)?([Zz]|[+-]\d\d(?::?\d\d)?)?\s*$/;

/**
 * Ruby's Time.iso8601: `2017-01-01T12:00:00+09:00`, `...T12:00:00.123Z`, `2017-01-01`; a text without a zone is read
 * in `zone` (Ruby: the process's local time). Anything else throws TimeParseError with Ruby's message.
 */
export function parseIso8601(text: string, zone: Zone = resolveZone('localtime')): EventTime {
  const m = XMLSCHEMA.exec(text);
  if (m === null || (m[4] === undefined && m[7] !== undefined)) throw new TimeParseError(`invalid xmlschema format: ${JSON.stringify(text)}`);
  const f = new Fields();
  f.year = Number(m[1]);
  f.month = Number(m[2]);
  f.day = Number(m[3]);
  f.hour = Number(m[4] ?? 0);
  f.minute = Number(m[5] ?? 0);
  f.second = Number(m[6] ?? 0);
  f.nsec = m[7] === undefined ? 0 : fractionNsec(m[7]);
  f.zone = m[8];
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 24 || f.minute > 59 || f.second > 60) {
    throw new TimeParseError('argument out of range');
  }
  return makeTime(f, zone)!;
}

const MON = `(${MONTH_NAMES.map((m) => `${m}|${m.slice(0, 3)}`).join('|')})\\.?`;
const DAY = '(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)[a-z]*\\.?,?\\s*)';
const TIME = '(\\d{1,2}):(\\d\\d)(?::(\\d\\d)(?:[.,](\\d+))?)?(?:\\s*([ap])\\.?m\\.?)?';
const ZONE = '((?:gmt|utc?)?[-+]\\d\\d(?::?\\d\\d)?|[a-z]{1,5}(?:\\s+dst)?)';

/** Group layout of a form: year, month (number or name), day, hour, minute, second, fraction, am/pm, zone; `_` unused. */
interface Form { re: RegExp; order: Array<'y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f' | 'p' | 'z' | '_'> }
const T = ['H', 'M', 'S', 'f', 'p'] as const;
const FORMS: Form[] = [
  // 2013-02-28 12:00:00 +0900, 2013-02-28T12:00:00.123Z, 2013/02/28 12:00
  { re: new RegExp(`^\\s*${DAY}?([-+]?\\d{4,})([-/])(\\d{1,2})\\2(\\d{1,2})(?:(?:[Tt]|\\s+)${TIME})?(?:\\s*${ZONE})?\\s*$`, 'i'), order: ['y', '_', 'm', 'd', ...T, 'z'] },
  // 20130228T120000Z
  { re: new RegExp(`^\\s*(\\d{4})(\\d\\d)(\\d\\d)[Tt](\\d\\d)(\\d\\d)(\\d\\d)?(?:[.,](\\d+))?(?:\\s*${ZONE})?\\s*$`, 'i'), order: ['y', 'm', 'd', 'H', 'M', 'S', 'f', 'z'] },
  // Oct 11 14:32:52 2000, Thu Oct 11 14:32:52 UTC 2000, syslog Apr 16 10:01:02, Feb 28 2013 12:00:00
  { re: new RegExp(`^\\s*${DAY}?${MON}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?(?:\\s+(-?\\d{4}))?(?:\\s+${TIME})?(?:\\s+${ZONE})?(?:\\s+(-?\\d{4}))?\\s*$`, 'i'), order: ['m', 'd', 'y', ...T, 'z', 'y'] },
  // RFC 2822 Sun, 02 Jan 2011 13:14:15 +0900; apache 02/Jan/2011:13:14:15 +0900; 28 Feb 2013
  { re: new RegExp(`^\\s*${DAY}?(\\d{1,2})[\\s/-]${MON}[\\s/-](-?\\d{2,4})(?:(?:\\s+|:|[Tt])${TIME})?(?:\\s*${ZONE})?\\s*$`, 'i'), order: ['d', 'm', 'y', ...T, 'z'] },
  // 12:00:00 (today)
  { re: new RegExp(`^\\s*${TIME}(?:\\s*${ZONE})?\\s*$`, 'i'), order: [...T, 'z'] },
];
const MONTH_NUMBER = new Map(MONTH_NAMES.flatMap((m, i) => [[m.toLowerCase(), i + 1], [m.slice(0, 3).toLowerCase(), i + 1]] as const));

/**
 * The subset of Ruby's Time.parse that log timestamps use, for parsers without a time_format: ISO 8601 with or
 * without zone and fraction, ctime and syslog (`Oct 11 14:32:52 2000`, `Apr 16 10:01:02`, the current year filled
 * in), RFC 2822, apache's `02/Jan/2011:13:14:15 +0900`, a time alone (today). Zone-less texts are read in `zone`.
 */
export function parseRubyTimeFlexible(text: string, zone: Zone): EventTime {
  for (const { re, order } of FORMS) {
    const m = re.exec(text);
    if (m === null) continue;
    const f = new Fields();
    for (let i = 0; i < order.length; i++) {
      const v = m[i + 1];
      if (v === undefined) continue;
      switch (order[i]) {
        case 'y': f.year = v.length <= 2 ? Number(v) + (Number(v) >= 69 ? 1900 : 2000) : Number(v); break;
        case 'm': f.month = /^\d/.test(v) ? Number(v) : MONTH_NUMBER.get(v.toLowerCase()); break;
        case 'd': f.day = Number(v); break;
        case 'H': f.hour = Number(v); break;
        case 'M': f.minute = Number(v); break;
        case 'S': f.second = Number(v); break;
        case 'f': f.nsec = fractionNsec(v); break;
        case 'p': f.meridian = v.toLowerCase() === 'p' ? 12 : 0; break;
        case 'z': f.zone = v; break;
      }
    }
    if ((f.month !== undefined && (f.month < 1 || f.month > 12)) || (f.day !== undefined && (f.day < 1 || f.day > 31)) ||
      (f.hour !== undefined && f.hour > 24) || (f.minute !== undefined && f.minute > 59) || (f.second !== undefined && f.second > 60)) {
      throw new TimeParseError('argument out of range');
    }
    return makeTime(f, zone)!;
  }
  throw new TimeParseError(`no time information in ${JSON.stringify(text)}`);
}
