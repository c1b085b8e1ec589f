import type { EventTime } from '../event/event-time.ts';
import { daysFromCivil, MONTH_NAMES, DAY_NAMES, wallTime } from './calendar.ts';
import type { Zone } from './zone.ts';

export class TimeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeParseError';
  }
}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  yday?: number;
  hour?: number;
  minute?: number;
  second?: number;
  nsec?: number;
  pm?: boolean;
  offset?: number;
  epoch?: number;
}

type Setter = (f: Fields, text: string) => void;

const MONTHS = MONTH_NAMES.map((m) => m.slice(0, 3).toLowerCase());
const NUM = (digits: string) => `([+-]?\\d{${digits}})`;

/** One strptime directive: the text it matches and how it fills in the fields. */
function directive(conv: string, colons: string): { re: string; set?: Setter } | string | undefined {
  switch (conv) {
    case 'Y': return { re: '([+-]?\\d+)', set: (f, t) => (f.year = Number(t)) };
    case 'C': return { re: NUM('1,2'), set: (f, t) => (f.year = Number(t) * 100 + ((f.year ?? 0) % 100)) };
    case 'y': return { re: '(\\d{1,2})', set: (f, t) => (f.year = Number(t) + (Number(t) < 69 ? 2000 : 1900)) };
    case 'm': return { re: '(\\d{1,2})', set: (f, t) => (f.month = Number(t)) };
    case 'd': case 'e': return { re: ' ?(\\d{1,2})', set: (f, t) => (f.day = Number(t)) };
    case 'j': return { re: '(\\d{1,3})', set: (f, t) => (f.yday = Number(t)) };
    case 'H': case 'k': return { re: ' ?(\\d{1,2})', set: (f, t) => (f.hour = Number(t)) };
    case 'I': case 'l': return { re: ' ?(\\d{1,2})', set: (f, t) => (f.hour = Number(t) % 12) };
    case 'M': return { re: '(\\d{1,2})', set: (f, t) => (f.minute = Number(t)) };
    case 'S': return { re: '(\\d{1,2})', set: (f, t) => (f.second = Math.min(59, Number(t))) };
    case 'L': case 'N': return { re: '(\\d+)', set: (f, t) => (f.nsec = Number(t.slice(0, 9).padEnd(9, '0'))) };
    case 'p': case 'P': return { re: '([AaPp]\\.?[Mm]\\.?)', set: (f, t) => (f.pm = /^p/i.test(t)) };
    case 'b': case 'B': case 'h':
      return {
        re: `(${MONTH_NAMES.map((m) => `${m}|${m.slice(0, 3)}`).join('|')})`,
        set: (f, t) => (f.month = MONTHS.indexOf(t.slice(0, 3).toLowerCase()) + 1),
      };
    case 'a': case 'A': return { re: `(?:${DAY_NAMES.map((d) => `${d}|${d.slice(0, 3)}`).join('|')})` };
    case 'u': case 'w': return { re: '\\d' };
    case 'z': case 'Z':
      return {
        re: conv === 'Z' ? '([+-]\\d{1,2}(?::?\\d\\d(?::?\\d\\d)?)?|[A-Za-z][A-Za-z0-9_/+-]*)' : '([+-]\\d{1,2}(?::?\\d\\d(?::?\\d\\d)?)?|Z|UTC|GMT|[A-Z]{3,4})',
        set: (f, t) => (f.offset = zoneOffset(t)),
      };
    case 's': return { re: '([+-]?\\d+)', set: (f, t) => (f.epoch = Number(t)) };
    case 'n': case 't': return '\\s+';
    case '%': return '%';
    case 'F': return '%Y-%m-%d';
    case 'T': case 'X': return '%H:%M:%S';
    case 'D': case 'x': return '%m/%d/%y';
    case 'R': return '%H:%M';
    case 'r': return '%I:%M:%S %p';
    case 'c': return '%a %b %e %H:%M:%S %Y';
    default: return colons ? undefined : undefined;
  }
}

const NAMED_ZONES: Record<string, number> = { UTC: 0, GMT: 0, Z: 0, UT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7, JST: 9 };

function zoneOffset(text: string): number {
  const named = NAMED_ZONES[text.toUpperCase()];
  if (named !== undefined) return named * 3600;
  const m = /^([+-])(\d{1,2}):?(\d\d)?:?(\d\d)?$/.exec(text);
  if (!m) throw new TimeParseError(`unknown time zone ${text}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

function compilePattern(format: string, setters: Setter[]): string {
  let re = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%' && i + 1 < format.length) {
      let j = i + 1;
      while (format[j] === '-' || format[j] === '0' || format[j] === '_' || format[j] === '^' || /\d/.test(format[j]!)) j++;
      let colons = '';
      while (format[j] === ':') {
        colons += ':';
        j++;
      }
      const d = directive(format[j]!, colons);
      if (d === undefined) throw new Error(`unsupported strptime directive %${format[j]} in '${format}'`);
      if (typeof d === 'string') {
        re += d.startsWith('%') && d.length > 1 ? compilePattern(d, setters) : d;
      } else {
        re += d.re;
        if (d.set) setters.push(d.set);
      }
      i = j;
    } else if (/\s/.test(c)) {
      re += '\\s*';
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return re;
}

/**
 * Ruby's Time.strptime, compiled once to one RegExp: `(text) => {sec, nsec}`, throwing TimeParseError when the text
 * does not match. A format without a zone reads the text in `zone`; a year-less format takes the current year.
 */
export function compileStrptime(format: string, opts: { zone: Zone }): (text: string) => EventTime {
  const setters: Setter[] = [];
  const re = new RegExp(`^\\s*${compilePattern(format, setters)}\\s*$`, 'i');
  return (text) => {
    const m = re.exec(text);
    if (!m) throw new TimeParseError(`invalid date or strptime format - \`${text}' \`${format}'`);
    const f: Fields = {};
    for (let i = 0; i < setters.length; i++) setters[i]!(f, m[i + 1]!);
    return toEventTime(f, opts.zone);
  };
}

function toEventTime(f: Fields, zone: Zone): EventTime {
  const nsec = f.nsec ?? 0;
  if (f.epoch !== undefined) return { sec: f.epoch, nsec };
  let hour = f.hour ?? 0;
  if (f.pm !== undefined) hour = (hour % 12) + (f.pm ? 12 : 0);
  const year = f.year ?? wallTime(Math.floor(Date.now() / 1000), zone.offsetAt(Date.now() / 1000)).year;
  let days: number;
  if (f.yday !== undefined && f.month === undefined) {
    days = daysFromCivil(year, 1, 1) + f.yday - 1;
  } else {
    days = daysFromCivil(year, f.month ?? 1, f.day ?? 1);
  }
  const local = days * 86400 + hour * 3600 + (f.minute ?? 0) * 60 + (f.second ?? 0);
  if (f.offset !== undefined) return { sec: local - f.offset, nsec };
  // Local wall time to an instant: guess with the offset at the wall time, then correct it once (DST edges).
  const guess = local - zone.offsetAt(local);
  return { sec: local - zone.offsetAt(guess), nsec };
}

const ISO8601 = /^\s*(\d{4})-?(\d\d)-?(\d\d)(?:[T ](\d\d):?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?\s*$/i;
const FLEXIBLE: Array<[RegExp, (m: RegExpExecArray) => Fields]> = [
  // Oct 11 14:32:52 2000 / Wed Oct 11 14:32:52 2000 / Apr 16 10:01:02
  [/^\s*(?:[A-Za-z]{3},?\s+)?([A-Za-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d\d):(\d\d)(?:\.(\d+))?(?:\s+([A-Z]{3,4}|[+-]\d{2}:?\d{2}))?(?:\s+(\d{4}))?\s*$/, (m) => ({
    month: MONTHS.indexOf(m[1]!.toLowerCase()) + 1, day: +m[2]!, hour: +m[3]!, minute: +m[4]!, second: +m[5]!,
    nsec: m[6] ? Number(m[6].slice(0, 9).padEnd(9, '0')) : 0, offset: m[7] ? zoneOffset(m[7]) : undefined, year: m[8] ? +m[8] : undefined,
  })],
  // 02/Jan/2011:13:14:15 +0900 (apache/nginx) and RFC 2822 "Sun, 02 Jan 2011 13:14:15 +0900"
  [/^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})[/ ]([A-Za-z]{3})[a-z]*[/ ](\d{4})[: ](\d\d):(\d\d):(\d\d)(?:\s*([+-]\d{2}:?\d{2}|[A-Z]{1,4}))?\s*$/, (m) => ({
    day: +m[1]!, month: MONTHS.indexOf(m[2]!.toLowerCase()) + 1, year: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]!,
    offset: m[7] ? zoneOffset(m[7]) : undefined,
  })],
  // 2013/02/28 12:00:00
  [/^\s*(\d{4})\/(\d{1,2})\/(\d{1,2})(?:\s+(\d{1,2}):(\d\d)(?::(\d\d))?)?(?:\s*([+-]\d{2}:?\d{2}|Z|UTC))?\s*$/, (m) => ({
    year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0),
    offset: m[7] ? zoneOffset(m[7]) : undefined,
  })],
];

/** ISO 8601 (basic or extended, with or without zone and fraction); a missing zone reads the text in `zone`. */
export function parseIso8601(text: string, zone: Zone): EventTime {
  const m = ISO8601.exec(text);
  if (!m) throw new TimeParseError(`invalid xmlschema format: ${JSON.stringify(text)}`);
  return toEventTime({
    year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0),
    nsec: m[7] ? Number(m[7].slice(0, 9).padEnd(9, '0')) : 0, offset: m[8] ? zoneOffset(m[8]) : undefined,
  }, zone);
}

/** The subset of Ruby's Time.parse that log timestamps use, for parsers without a time_format. */
export function parseRubyTimeFlexible(text: string, zone: Zone): EventTime {
  if (ISO8601.test(text)) return parseIso8601(text, zone);
  for (const [re, fields] of FLEXIBLE) {
    const m = re.exec(text);
    if (m) return toEventTime(fields(m), zone);
  }
  throw new TimeParseError(`no time information in ${JSON.stringify(text)}`);
}

/**
 * The one entry point parsers use for a string time: `format` through strptime (`%iso8601` is Fluentd's special
 * name for ISO 8601), or Ruby's Time.parse without a format; fallbacks tried in order.
 */
export function compileTimeParser(opts: { format: string | undefined; fallbacks?: string[]; type?: string; zone: Zone }): (text: string) => EventTime {
  const candidates = [opts.format, ...(opts.fallbacks ?? [])].map((format): ((text: string) => EventTime) => {
    if (format === undefined) return (text) => parseRubyTimeFlexible(text, opts.zone);
    if (format === '%iso8601') return (text) => parseIso8601(text, opts.zone);
    return compileStrptime(format, { zone: opts.zone });
  });
  if (candidates.length === 1) return candidates[0]!;
  return (text) => {
    for (const parse of candidates) {
      try {
        return parse(text);
      } catch {
        // next fallback
      }
    }
    throw new TimeParseError(`invalid time format: value = ${text}`);
  };
}
