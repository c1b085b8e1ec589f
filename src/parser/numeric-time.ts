import type { EventTime } from '../event/event-time.ts';
import { rubyToS } from '../formatter/ruby-inspect.ts';
import { rubyClassName, rubyStringToI } from './ruby-values.ts';

/** Fluentd's TimeParser::TimeParseError: the message becomes the ParserError's. */
export class TimeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeParseError';
  }
}

function requireStringOrNumber(value: unknown): asserts value is string | number {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TimeParseError(`value must be a string or a number: ${rubyToS(value)}(${rubyClassName(value)})`);
  }
}

/** time_type unixtime: `value.to_i` seconds. */
export function parseUnixtime(value: unknown): EventTime {
  requireStringOrNumber(value);
  const sec = typeof value === 'number' ? Math.trunc(value) : rubyStringToI(value);
  return { sec, nsec: 0 };
}

/**
 * time_type float: the text is split at dots, the first part is the seconds (to_i) and the second the nanoseconds,
 * padded or cut to 9 digits (`"100.1"` is 100 s + 100000000 ns), so no float rounding creeps in.
 */
export function parseFloatTime(value: unknown): EventTime {
  requireStringOrNumber(value);
  const text = typeof value === 'number' ? rubyToS(value) : value;
  const dot = text.indexOf('.');
  if (dot < 0) return { sec: rubyStringToI(text), nsec: 0 };
  const next = text.indexOf('.', dot + 1);
  let frac = text.slice(dot + 1, next < 0 ? undefined : next).slice(0, 10);
  if (frac.length < 9) frac += '0'.repeat(9 - frac.length);
  // Fluentd keeps up to 10 fraction digits; Time.at then carries a nanosecond overflow into the seconds.
  const nsec = rubyStringToI(frac);
  const sec = rubyStringToI(text.slice(0, dot));
  return nsec < 1e9 ? { sec, nsec } : { sec: sec + Math.floor(nsec / 1e9), nsec: nsec % 1e9 };
}
