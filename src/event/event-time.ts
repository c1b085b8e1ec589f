/**
 * Event time is Fluentd's EventTime: whole epoch seconds plus nanoseconds, kept as two numbers because a double
 * cannot hold epoch nanoseconds. `NaN` seconds means "no time" (a parser with estimate_current_event false).
 */
export interface EventTime {
  sec: number;
  nsec: number;
}

export function nowEventTime(): EventTime {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 };
}

export function eventTimeFromFloat(value: number): EventTime {
  const sec = Math.floor(value);
  return { sec, nsec: Math.round((value - sec) * 1e9) };
}

export function eventTimeToFloat(sec: number, nsec: number): number {
  return sec + nsec / 1e9;
}

/** RFC 3339 in UTC with nanoseconds, e.g. 2023-04-16T10:01:02.000000000Z (used by `logferry parse`). */
export function eventTimeToRfc3339(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().slice(0, 19);
  return `${base}.${String(nsec).padStart(9, '0')}Z`;
}
