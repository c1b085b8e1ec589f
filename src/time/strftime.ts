import { DAY_NAMES, isoWeek, MONTH_NAMES, wallTime, type WallTime } from './calendar.ts';
import type { Zone } from './zone.ts';

/** Renders one directive from the broken-down second (and the nanoseconds, for %L/%N only). */
type Render = (w: WallTime, sec: number, offset: number, zone: Zone) => string;
type SubsecRender = (nsec: number) => string;
type Piece = string | Render | { subsec: SubsecRender };

/** A directive: flags, width, the colons of %:z, an ignored E/O modifier, the conversion. */
const DIRECTIVE = /%([-_0^#]*)(\d*)(:{0,3})([EO]?)([a-zA-Z%+])/g;

/**
 * Ruby's Time#strftime, compiled once into `(sec, nsec) => text` in `zone`. Unknown sequences (and the `%{...}`
 * placeholders of S3 keys) are left intact, as Ruby leaves them. Everything but %L/%N is rendered once per second:
 * formatting many events of the same second costs a comparison and, with sub-seconds, a concatenation.
 */
export function compileStrftime(format: string, zone: Zone): (sec: number, nsec: number) => string {
  const pieces = compilePieces(format, zone);
  const hasSubsec = pieces.some((p) => typeof p === 'object');
  let lastSec = NaN;
  let lastText = '';
  if (!hasSubsec) {
    return (sec) => {
      if (sec !== lastSec) {
        lastText = renderSecond(pieces, sec, zone).join('');
        lastSec = sec;
      }
      return lastText;
    };
  }
  let lastParts: Array<string | SubsecRender> = [];
  return (sec, nsec) => {
    if (sec !== lastSec) {
      lastParts = renderSecond(pieces, sec, zone);
      lastSec = sec;
    }
    let out = '';
    for (let i = 0; i < lastParts.length; i++) {
      const p = lastParts[i]!;
      out += typeof p === 'string' ? p : p(nsec);
    }
    return out;
  };
}

/** The per-second rendering: adjacent second-level text merged, sub-second renderers kept for the call. */
function renderSecond(pieces: Piece[], sec: number, zone: Zone): Array<string | SubsecRender> {
  const offset = zone.offsetAt(sec);
  const w = wallTime(sec, offset);
  const out: Array<string | SubsecRender> = [];
  let text = '';
  for (const p of pieces) {
    if (typeof p === 'string') text += p;
    else if (typeof p === 'function') text += p(w, sec, offset, zone);
    else {
      out.push(text, p.subsec);
      text = '';
    }
  }
  out.push(text);
  return out;
}

function compilePieces(format: string, zone: Zone): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of format.matchAll(DIRECTIVE)) {
    const [whole, flags, width, colons, , conv] = m as unknown as [string, string, string, string, string, string];
    const piece = directive(flags, width === '' ? 0 : Number(width), colons, conv, zone);
    if (piece === undefined) continue; // unknown: stays in the literal text
    if (m.index > last) pieces.push(format.slice(last, m.index));
    pieces.push(piece);
    last = m.index + whole.length;
  }
  if (last < format.length) pieces.push(format.slice(last));
  return pieces;
}

/** Ruby's numeric padding: `-` none, `_` spaces, `0` zeros, else the directive's own fill; width is a minimum. */
function number(value: number, flags: string, width: number, defWidth: number, defFill: string): string {
  const digits = String(Math.abs(value));
  const sign = value < 0 ? '-' : '';
  if (flags.includes('-')) return sign + digits;
  const fill = flags.includes('_') ? ' ' : flags.includes('0') ? '0' : defFill;
  const total = width || defWidth;
  if (fill === '0') return sign + digits.padStart(total - sign.length, '0');
  return (sign + digits).padStart(total, ' ');
}

/** Ruby's text padding: spaces (zeros with `0`) to the width; `^` upcases; `#` upcases names (lowercases %p and %Z). */
function text(value: string, flags: string, width: number, hashLowers = false): string {
  let s = value;
  if (flags.includes('^')) s = s.toUpperCase();
  if (flags.includes('#')) s = hashLowers ? s.toLowerCase() : s.toUpperCase();
  if (flags.includes('-') || width <= s.length) return s;
  return s.padStart(width, flags.includes('0') ? '0' : ' ');
}

function offsetText(offset: number, colons: string, flags: string, width: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  const hours = flags.includes('-') ? String(h) : two(h);
  let body: string;
  if (colons === '') body = `${hours}${two(m)}`;
  else if (colons === ':') body = `${hours}:${two(m)}`;
  else if (colons === '::') body = `${hours}:${two(m)}:${two(s)}`;
  else body = s !== 0 ? `${hours}:${two(m)}:${two(s)}` : m !== 0 ? `${hours}:${two(m)}` : hours; // %:::z
  if (width <= body.length + 1 || flags.includes('-')) return sign + body;
  if (flags.includes('_')) return (sign + body).padStart(width, ' ');
  return sign + body.padStart(width - 1, '0');
}

function fraction(digits: number): SubsecRender {
  return (nsec) => {
    const nine = nsec < 100_000_000 ? String(nsec).padStart(9, '0') : String(nsec);
    return digits <= 9 ? nine.slice(0, digits) : nine + '0'.repeat(digits - 9);
  };
}

function directive(flags: string, width: number, colons: string, conv: string, zone: Zone): Piece | undefined {
  if (colons !== '' && conv !== 'z') return undefined;
  const num = (get: (w: WallTime) => number, defWidth: number, defFill = '0'): Render => (w) => number(get(w), flags, width, defWidth, defFill);
  const name = (get: (w: WallTime) => string): Render => (w) => text(get(w), flags, width);
  const composite = (sub: string): Render => {
    const parts = compilePieces(sub, zone) as Array<string | Render>;
    return (w, sec, offset) => text(parts.map((p) => (typeof p === 'string' ? p : p(w, sec, offset, zone))).join(''), flags, width);
  };
  switch (conv) {
    case 'Y': return num((w) => w.year, 4);
    case 'C': return num((w) => Math.floor(w.year / 100), 2);
    case 'y': return num((w) => ((w.year % 100) + 100) % 100, 2);
    case 'G': return num((w) => isoWeek(w).year, 4);
    case 'g': return num((w) => ((isoWeek(w).year % 100) + 100) % 100, 2);
    case 'V': return num((w) => isoWeek(w).week, 2);
    case 'm': return num((w) => w.month, 2);
    case 'd': return num((w) => w.day, 2);
    case 'e': return num((w) => w.day, 2, ' ');
    case 'j': return num((w) => w.yday, 3);
    case 'H': return num((w) => w.hour, 2);
    case 'k': return num((w) => w.hour, 2, ' ');
    case 'I': return num((w) => w.hour % 12 || 12, 2);
    case 'l': return num((w) => w.hour % 12 || 12, 2, ' ');
    case 'M': return num((w) => w.minute, 2);
    case 'S': return num((w) => w.second, 2);
    case 'u': return num((w) => w.weekday || 7, 1);
    case 'w': return num((w) => w.weekday, 1);
    case 'U': return num((w) => Math.floor((w.yday - 1 + 7 - w.weekday) / 7), 2);
    case 'W': return num((w) => Math.floor((w.yday - 1 + 7 - ((w.weekday + 6) % 7)) / 7), 2);
    case 's': return (_w, sec) => number(sec, flags, width, 1, '0');
    case 'L': return { subsec: fraction(width || 3) };
    case 'N': return { subsec: fraction(width || 9) };
    case 'B': return name((w) => MONTH_NAMES[w.month - 1]!);
    case 'b': case 'h': return name((w) => MONTH_NAMES[w.month - 1]!.slice(0, 3));
    case 'A': return name((w) => DAY_NAMES[w.weekday]!);
    case 'a': return name((w) => DAY_NAMES[w.weekday]!.slice(0, 3));
    case 'p': return (w) => text(w.hour < 12 ? 'AM' : 'PM', flags, width, true);
    case 'P': return (w) => text(w.hour < 12 ? 'am' : 'pm', flags, width);
    case 'Z': return (_w, sec) => text(zone.abbreviationAt(sec), flags, width, true);
    case 'z': return (_w, _sec, offset) => offsetText(offset, colons, flags, width);
    case 'n': return '\n';
    case 't': return '\t';
    case '%': return '%';
    case 'F': return composite('%Y-%m-%d');
    case 'T': case 'X': return composite('%H:%M:%S');
    case 'D': case 'x': return composite('%m/%d/%y');
    case 'R': return composite('%H:%M');
    case 'r': return composite('%I:%M:%S %p');
    case 'c': return composite('%a %b %e %H:%M:%S %Y');
    case 'v': return composite('%e-%^b-%4Y');
    case '+': return composite('%a %b %e %H:%M:%S %Z %Y');
    default: return undefined;
  }
}

/** Ruby's Time#iso8601(digits): `2016-07-26T21:08:30-07:00`; a UTC time (not merely +00:00) ends in `Z`. */
export function formatIso8601(sec: number, nsec: number, zone: Zone, fractionDigits = 0): string {
  const offset = zone.offsetAt(sec);
  const w = wallTime(sec, offset);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  const year = w.year < 0 ? `-${String(-w.year).padStart(4, '0')}` : String(w.year).padStart(4, '0');
  const frac = fractionDigits > 0 ? `.${fraction(fractionDigits)(nsec)}` : '';
  const tz = zone.utc ? 'Z' : offsetText(offset, ':', '', 0);
  return `${year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}:${two(w.second)}${frac}${tz}`;
}
