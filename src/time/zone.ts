/** A time zone as Fluentd's Timezone/TimeMixin resolve it: a fixed offset, an IANA zone, or the process's local time. */
export interface Zone {
  name: string;
  /** Seconds east of UTC at the instant `sec` (epoch seconds). */
  offsetAt(sec: number): number;
  /** Short name as strftime %Z prints it ('' for a bare offset, as Ruby prints it). */
  abbreviationAt(sec: number): string;
  fixed: boolean;
}

const OFFSET = /^([+-])(\d\d):?(\d\d)?$/;
const cache = new Map<string, Zone>();

/**
 * `+09:00`, `+0900`, `-05`, `UTC`/`Z`, an IANA name (`Asia/Tokyo`, DST-correct), or `localtime` (the process TZ).
 * Anything else throws an Error naming the value (Fluent::Timezone.validate!).
 */
export function resolveZone(spec: string | undefined, opts: { utc?: boolean; localtime?: boolean } = {}): Zone {
  const name = opts.utc ? 'UTC' : spec ?? (opts.localtime === false ? 'UTC' : 'localtime');
  let zone = cache.get(name);
  if (!zone) {
    zone = build(name);
    cache.set(name, zone);
  }
  return zone;
}

function build(name: string): Zone {
  if (name === 'UTC' || name === 'Z' || name === 'utc' || name === 'GMT') return fixedZone(name, 0, 'UTC');
  const m = OFFSET.exec(name);
  if (m) {
    const hours = Number(m[2]);
    const minutes = Number(m[3] ?? 0);
    if (hours > 23 || minutes > 59) throw new Error(`invalid time zone offset '${name}'`);
    return fixedZone(name, (m[1] === '-' ? -1 : 1) * (hours * 3600 + minutes * 60), '');
  }
  if (name === 'localtime') {
    return {
      name,
      fixed: false,
      offsetAt: (sec) => -new Date(sec * 1000).getTimezoneOffset() * 60,
      abbreviationAt: (sec) => abbreviation(undefined, sec),
    };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new Error(`unknown time zone '${name}' (expected +HH:MM, +HHMM, +HH or a zone name such as Asia/Tokyo)`);
  }
  // Offsets change at most at quarter-hour boundaries; cache per 15 minutes so a stream of events costs a lookup.
  const byQuarter = new Map<number, number>();
  return {
    name,
    fixed: false,
    offsetAt(sec) {
      const quarter = Math.floor(sec / 900);
      let offset = byQuarter.get(quarter);
      if (offset === undefined) {
        const parts = Object.fromEntries(format.formatToParts(new Date(quarter * 900_000)).map((p) => [p.type, p.value]));
        const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
        offset = Math.round((local - quarter * 900_000) / 1000);
        if (byQuarter.size > 4096) byQuarter.clear();
        byQuarter.set(quarter, offset);
      }
      return offset;
    },
    abbreviationAt: (sec) => abbreviation(name, sec),
  };
}

function fixedZone(name: string, offset: number, abbr: string): Zone {
  return { name, fixed: true, offsetAt: () => offset, abbreviationAt: () => abbr };
}

function abbreviation(timeZone: string | undefined, sec: number): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(sec * 1000));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}
