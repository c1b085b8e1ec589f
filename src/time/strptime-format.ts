import type { EventTime } from '../event/event-time.ts';
import { DAY_NAMES, MONTH_NAMES } from './calendar.ts';
import { Fields, fractionNsec, makeTime } from './make-time.ts';
import type { Zone } from './zone.ts';

/** What a capture group of the compiled format holds. */
const enum Slot { Year, Century, ShortYear, Month, MonthName, Day, YearDay, Hour, Hour12, Minute, Second, Fraction, Meridian, ZoneText, Epoch, EpochMs }

interface Compiled { source: string; slots: Slot[] }

/** Ruby's NUM_PATTERN_P: the next element starts with a digit, so a variable-width number stops at its usual width. */
const NUMERIC_CONVERSIONS = 'CDdeFGgHIjkLlMmNQRrSsTUuVvWwXxYy0123456789';
const WHITESPACE = '[ \\t\\n\\v\\f\\r]*';
const SPACES = ' \t\n\v\f\r';
const NAME_RANGES = (names: string[]) => names.map((n) => [...n].map((c) => `[${c.toUpperCase()}${c.toLowerCase()}]`).join(''));
const MONTH_RE = `(${MONTH_NAMES.flatMap((m) => NAME_RANGES([m, m.slice(0, 3)])).join('|')})`;
const DAY_RE = `(?:${DAY_NAMES.flatMap((d) => NAME_RANGES([d, d.slice(0, 3)])).join('|')})`;
/** Date._strptime's zone text: an offset (optionally after GMT/UTC), "... Standard Time", or a name. */
const ZONE_RE = `((?:[Gg][Mm][Tt]|[Uu][Tt][Cc]?)?[-+]\\d+(?:[,.:]\\d+(?::\\d+)?)?|[A-Za-z.\\s]+(?:[Ss]tandard|[Dd]aylight)\\s+[Tt]ime\\b|[A-Za-z]+(?:\\s[Dd][Ss][Tt])?\\b)`;
const COMPOSITES: Record<string, string> = {
  F: '%Y-%m-%d', T: '%H:%M:%S', X: '%H:%M:%S', D: '%m/%d/%y', x: '%m/%d/%y', R: '%H:%M', r: '%I:%M:%S %p',
  c: '%a %b %e %H:%M:%S %Y', v: '%e-%b-%Y', '+': '%a %b %e %H:%M:%S %Z %Y',
};
const UNSUPPORTED = 'UWGgV';

function numericNext(format: string, at: number): boolean {
  const c = format[at];
  if (c === undefined) return false;
  if (c >= '0' && c <= '9') return true;
  if (c !== '%') return false;
  let n = format[at + 1];
  if (n === 'E' || n === 'O') n = format[at + 2];
  return n !== undefined && NUMERIC_CONVERSIONS.includes(n);
}

/** One directive's pattern (one capture group at most) and the slot it fills. */
function directive(conv: string, width: number, numeric: boolean): { re: string; slot?: Slot } | undefined {
  switch (conv) {
    case 'Y': return { re: numeric ? '([+-]?\\d{1,4})' : '([+-]?\\d+)', slot: Slot.Year };
    case 'C': return { re: numeric ? '([+-]?\\d{1,2})' : '([+-]?\\d+)', slot: Slot.Century };
    case 'y': return { re: '(\\d{1,2})', slot: Slot.ShortYear };
    case 'm': return { re: '(\\d{1,2})', slot: Slot.Month };
    case 'd': case 'e': return { re: '( \\d|\\d{1,2})', slot: Slot.Day };
    case 'j': return { re: '(\\d{1,3})', slot: Slot.YearDay };
    case 'H': case 'k': return { re: '( \\d|\\d{1,2})', slot: Slot.Hour };
    case 'I': case 'l': return { re: '( \\d|\\d{1,2})', slot: Slot.Hour12 };
    case 'M': return { re: '(\\d{1,2})', slot: Slot.Minute };
    case 'S': return { re: '(\\d{1,2})', slot: Slot.Second };
    case 'L': case 'N': {
      const digits = width || (conv === 'L' ? 3 : 9);
      return { re: numeric || width ? `(\\d{1,${digits}})` : '(\\d+)', slot: Slot.Fraction };
    }
    case 'p': case 'P': return { re: '([AaPp](?:\\.[Mm]\\.|[Mm]))', slot: Slot.Meridian };
    case 'b': case 'B': case 'h': return { re: MONTH_RE, slot: Slot.MonthName };
    case 'a': case 'A': return { re: DAY_RE };
    case 'u': return { re: '[1-7]' };
    case 'w': return { re: '[0-6]' };
    case 'z': case 'Z': return { re: ZONE_RE, slot: Slot.ZoneText };
    case 's': return { re: '(-?\\d+)', slot: Slot.Epoch };
    case 'Q': return { re: '(-?\\d+)', slot: Slot.EpochMs };
    case 'n': case 't': return { re: WHITESPACE };
    case '%': return { re: '%' };
    default: return undefined;
  }
}

function escape(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/** The format as one regular expression source, and what each of its groups means. */
function compileFormat(format: string, out: Compiled): void {
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (SPACES.includes(c)) {
      out.source += WHITESPACE;
      continue;
    }
    if (c !== '%' || i + 1 >= format.length) {
      out.source += escape(c);
      continue;
    }
    let j = i + 1;
    while ('-_0^#'.includes(format[j]!)) j++;
    let width = 0;
    while (format[j]! >= '0' && format[j]! <= '9') width = width * 10 + Number(format[j++]);
    if ((format[j] === 'E' || format[j] === 'O') && j + 1 < format.length) j++;
    if (format[j] === ':' && format[j + 1] === 'z') j++;
    const conv = format[j];
    if (conv === undefined) {
      out.source += escape('%');
      continue;
    }
    if (UNSUPPORTED.includes(conv)) throw new Error(`strptime directive %${conv} (week-based dates) is not supported in time_format '${format}'`);
    const composite = COMPOSITES[conv];
    if (composite !== undefined) {
      compileFormat(composite, out);
    } else {
      const d = directive(conv, width, numericNext(format, j + 1));
      if (d === undefined) {
        out.source += `%${escape(conv)}`; // Ruby matches an unknown directive literally
      } else {
        out.source += d.re;
        if (d.slot !== undefined) out.slots.push(d.slot);
      }
    }
    i = j;
  }
}

const MONTH_INDEX = new Map(MONTH_NAMES.flatMap((m, i) => [[m.toLowerCase(), i + 1], [m.slice(0, 3).toLowerCase(), i + 1]] as const));

/** Reads the groups into `f`; false when a value is out of Date._strptime's ranges. */
function readGroups(m: RegExpExecArray, first: number, slots: Slot[], f: Fields): boolean {
  for (let i = 0; i < slots.length; i++) {
    const t = m[first + i];
    if (t === undefined) continue;
    switch (slots[i]!) {
      case Slot.Year: f.year = Number(t); break;
      case Slot.Century: f.century = Number(t); break;
      case Slot.ShortYear: {
        f.year = Number(t);
        f.century ??= f.year >= 69 ? 19 : 20;
        break;
      }
      case Slot.Month: if ((f.month = Number(t)) < 1 || f.month > 12) return false; break;
      case Slot.MonthName: f.month = MONTH_INDEX.get(t.toLowerCase()); break;
      case Slot.Day: if ((f.day = Number(t)) < 1 || f.day > 31) return false; break;
      case Slot.YearDay: if ((f.yday = Number(t)) < 1 || f.yday > 366) return false; break;
      case Slot.Hour: if ((f.hour = Number(t)) > 24) return false; break;
      case Slot.Hour12: if ((f.hour = Number(t)) < 1 || f.hour > 12) return false; break;
      case Slot.Minute: if ((f.minute = Number(t)) > 59) return false; break;
      case Slot.Second: if ((f.second = Number(t)) > 60) return false; break;
      case Slot.Fraction: f.nsec = fractionNsec(t); break;
      case Slot.Meridian: f.meridian = t[0] === 'p' || t[0] === 'P' ? 12 : 0; break;
      case Slot.ZoneText: f.zone = t; break;
      case Slot.Epoch: f.epoch = Number(t); break;
      case Slot.EpochMs: f.epochMs = Number(t); break;
    }
  }
  return true;
}

/**
 * The split of a format after its %S when what follows cannot start with a digit (`.%N%z`, ` %z`): texts of the
 * same second share the part up to the seconds, so only the rest has to be matched again.
 */
function secondsSplit(format: string): { head: string; tail: string } | undefined {
  const at = format.lastIndexOf('%S');
  if (at < 0 || (at > 0 && format[at - 1] === '%')) return undefined;
  const tail = format.slice(at + 2);
  const rest = tail.replace(/^[ \t\n\v\f\r]+/, '');
  if (rest === '' || /^[0-9%]/.test(rest) && !/^%:?[zZ]/.test(rest)) return undefined;
  if (/%[-_0^#\d]*[EO]?[sQ]/.test(format)) return undefined;
  return { head: format.slice(0, at + 2), tail };
}

/**
 * Ruby's Time.strptime (what Fluent::TimeParser runs), compiled once into one RegExp: `(text) => {sec, nsec}` or
 * null when the text does not match. Text after the match is ignored, as Ruby ignores it. A format without a zone
 * reads the text in `opts.zone`; a `%z` in the text makes the time absolute. The last text's result is reused, and
 * a text sharing the last one's part up to the seconds only has its rest matched. Results are shared: do not mutate.
 */
export function compileStrptime(format: string, opts: { zone: Zone }): (text: string) => EventTime | null {
  const { zone } = opts;
  const whole: Compiled = { source: '', slots: [] };
  const split = secondsSplit(format);
  let tailRe: RegExp | undefined;
  let tailSlots: Slot[] = [];
  if (split !== undefined) {
    compileFormat(split.head, whole);
    whole.source = `(${whole.source})`;
    const tail: Compiled = { source: '', slots: [] };
    compileFormat(split.tail, tail);
    whole.source += tail.source;
    whole.slots.push(...tail.slots);
    tailRe = new RegExp(tail.source, 'y');
    tailSlots = tail.slots;
  } else {
    compileFormat(format, whole);
  }
  const re = new RegExp(`^${whole.source}`);
  const first = split !== undefined ? 2 : 1;
  const headSlots = whole.slots.slice(0, whole.slots.length - tailSlots.length);
  const f = new Fields();
  const headFields = new Fields();
  let lastText: string | undefined;
  let lastTime: EventTime | null = null;
  let lastHead: string | undefined;

  return (text) => {
    if (text === lastText) return lastTime;
    let time: EventTime | null = null;
    f.reset();
    if (tailRe !== undefined && lastHead !== undefined && text.startsWith(lastHead)) {
      tailRe.lastIndex = lastHead.length;
      const m = tailRe.exec(text);
      if (m !== null) {
        Object.assign(f, headFields);
        time = readGroups(m, 1, tailSlots, f) ? makeTime(f, zone) : null;
        lastText = text;
        lastTime = time;
        return time;
      }
    }
    const m = re.exec(text);
    if (m !== null && readGroups(m, first, whole.slots, f)) {
      if (tailRe !== undefined) {
        lastHead = m[1];
        headFields.reset();
        readGroups(m, first, headSlots, headFields);
      }
      time = makeTime(f, zone);
    }
    lastText = text;
    lastTime = time;
    return time;
  };
}
