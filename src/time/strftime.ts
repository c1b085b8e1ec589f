import { DAY_NAMES, MONTH_NAMES, wallTime, type WallTime } from './calendar.ts';
import type { Zone } from './zone.ts';

type Piece = string | ((w: WallTime, sec: number, nsec: number, offset: number) => string);

const DIRECTIVE = /%([-0^_#]*)(\d*)(:{0,2})([a-zA-Z%+])/g;

/**
 * Ruby's strftime, compiled once: `(sec, nsec) => text` in `zone`. Unknown sequences (and `%{...}` placeholders of
 * S3 keys) are left intact, as Ruby leaves them.
 */
export function compileStrftime(format: string, zone: Zone): (sec: number, nsec: number) => string {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of format.matchAll(DIRECTIVE)) {
    const [whole, flags, width, colons, conv] = m as unknown as [string, string, string, string, string];
    const piece = directive(flags, width, colons, conv, zone);
    if (piece === undefined) continue;
    if (m.index! > last) pieces.push(format.slice(last, m.index));
    pieces.push(piece);
    last = m.index! + whole.length;
  }
  if (last < format.length) pieces.push(format.slice(last));
  return (sec, nsec) => {
    const offset = zone.offsetAt(sec);
    const w = wallTime(sec, offset);
    let out = '';
    for (const p of pieces) out += typeof p === 'string' ? p : p(w, sec, nsec, offset);
    return out;
  };
}

function pad(value: number, width: number, fill: string, flags: string): string {
  if (flags.includes('-')) return String(value);
  const f = flags.includes('_') ? ' ' : flags.includes('0') ? '0' : fill;
  const s = String(Math.abs(value));
  return (value < 0 ? '-' : '') + s.padStart(width, f);
}

function text(value: string, flags: string, width: number): string {
  const s = flags.includes('^') ? value.toUpperCase() : flags.includes('#') ? swapCase(value) : value;
  return width > s.length ? s.padStart(width, flags.includes('0') ? '0' : ' ') : s;
}

function swapCase(s: string): string {
  return s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase();
}

function offsetText(offset: number, colons: string): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = String(abs % 60).padStart(2, '0');
  if (colons === ':') return `${sign}${hh}:${mm}`;
  if (colons === '::') return `${sign}${hh}:${mm}:${ss}`;
  return `${sign}${hh}${mm}`;
}

/** ISO week-numbering year and week (%G, %V). */
function isoWeek(w: WallTime): { year: number; week: number } {
  const wday = w.weekday === 0 ? 7 : w.weekday;
  const thursdayYday = w.yday - wday + 4;
  const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (thursdayYday < 1) {
    const prev = w.year - 1;
    const prevDays = isLeap(prev) ? 366 : 365;
    return { year: prev, week: Math.floor((thursdayYday + prevDays - 1) / 7) + 1 };
  }
  const days = isLeap(w.year) ? 366 : 365;
  if (thursdayYday > days) return { year: w.year + 1, week: 1 };
  return { year: w.year, week: Math.floor((thursdayYday - 1) / 7) + 1 };
}

function directive(flags: string, widthText: string, colons: string, conv: string, zone: Zone): Piece | undefined {
  const width = widthText ? Number(widthText) : 0;
  const num = (get: (w: WallTime) => number, defWidth: number, fill = '0') => (w: WallTime) => pad(get(w), width || defWidth, fill, flags);
  const str = (get: (w: WallTime) => string) => (w: WallTime) => text(get(w), flags, width);
  if (colons && conv !== 'z') return undefined;
  switch (conv) {
    case 'Y': return (w) => (width ? pad(w.year, width, '0', flags) : String(w.year));
    case 'C': return num((w) => Math.floor(w.year / 100), 2);
    case 'y': return num((w) => w.year % 100, 2);
    case 'm': return num((w) => w.month, 2);
    case 'B': return str((w) => MONTH_NAMES[w.month - 1]!);
    case 'b': case 'h': return str((w) => MONTH_NAMES[w.month - 1]!.slice(0, 3));
    case 'd': return num((w) => w.day, 2);
    case 'e': return num((w) => w.day, 2, ' ');
    case 'j': return num((w) => w.yday, 3);
    case 'H': return num((w) => w.hour, 2);
    case 'k': return num((w) => w.hour, 2, ' ');
    case 'I': return num((w) => (w.hour % 12) || 12, 2);
    case 'l': return num((w) => (w.hour % 12) || 12, 2, ' ');
    case 'P': return (w) => (w.hour < 12 ? 'am' : 'pm');
    case 'p': return (w) => (flags.includes('#') ? (w.hour < 12 ? 'am' : 'pm') : w.hour < 12 ? 'AM' : 'PM');
    case 'Z': return (_w, sec) => text(zone.abbreviationAt(sec), flags, width);
    case 'M': return num((w) => w.minute, 2);
    case 'S': return num((w) => w.second, 2);
    case 'L': return (_w, _s, nsec) => String(nsec).padStart(9, '0').slice(0, width || 3).padEnd(width || 3, '0');
    case 'N': return (_w, _s, nsec) => String(nsec).padStart(9, '0').slice(0, width || 9).padEnd(width || 9, '0');
    case 'z': return (_w, _s, _n, offset) => offsetText(offset, colons);
    case 'A': return str((w) => DAY_NAMES[w.weekday]!);
    case 'a': return str((w) => DAY_NAMES[w.weekday]!.slice(0, 3));
    case 'u': return (w) => String(w.weekday === 0 ? 7 : w.weekday);
    case 'w': return (w) => String(w.weekday);
    case 's': return (_w, sec) => String(sec);
    case 'U': return num((w) => Math.floor((w.yday - 1 - w.weekday + 7) / 7), 2);
    case 'W': return num((w) => Math.floor((w.yday - 1 - ((w.weekday + 6) % 7) + 7) / 7), 2);
    case 'G': return (w) => String(isoWeek(w).year);
    case 'g': return num((w) => isoWeek(w).year % 100, 2);
    case 'V': return num((w) => isoWeek(w).week, 2);
    case 'n': return () => '\n';
    case 't': return () => '\t';
    case '%': return () => '%';
    case 'F': return compose('%Y-%m-%d', zone);
    case 'T': case 'X': return compose('%H:%M:%S', zone);
    case 'D': case 'x': return compose('%m/%d/%y', zone);
    case 'R': return compose('%H:%M', zone);
    case 'r': return compose('%I:%M:%S %p', zone);
    case 'c': return compose('%a %b %e %H:%M:%S %Y', zone);
    case '+': return compose('%a %b %e %H:%M:%S %Z %Y', zone);
    default: return undefined;
  }
}

/** A composite directive (%F, %T, ...) as the pieces it stands for. */
function compose(format: string, zone: Zone): Piece {
  const parts: Piece[] = [];
  let last = 0;
  for (const m of format.matchAll(DIRECTIVE)) {
    if (m.index! > last) parts.push(format.slice(last, m.index));
    parts.push(directive(m[1]!, m[2]!, m[3]!, m[4]!, zone) ?? m[0]);
    last = m.index! + m[0].length;
  }
  if (last < format.length) parts.push(format.slice(last));
  return (w, sec, nsec, offset) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(w, sec, nsec, offset);
    return out;
  };
}

/** Ruby's Time#iso8601(digits): `2016-07-26T21:08:30-07:00`, UTC written as `Z`. */
export function formatIso8601(sec: number, nsec: number, zone: Zone, fractionDigits = 0, utcAsZ = zone.name === 'UTC'): string {
  const offset = zone.offsetAt(sec);
  const w = wallTime(sec, offset);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  const frac = fractionDigits > 0 ? `.${String(nsec).padStart(9, '0').slice(0, fractionDigits)}` : '';
  const tz = utcAsZ && offset === 0 ? 'Z' : offsetText(offset, ':');
  return `${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:${two(w.second)}${frac}${tz}`;
}
