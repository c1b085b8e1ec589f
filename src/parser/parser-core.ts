import type { EventTime } from '../event/event-time.ts';
import { nowEventTime } from '../event/event-time.ts';
import { resolveLocaltime } from '../formatter/time-formatter.ts';
import type { ConfigElement, EventBatch, EventRecord, Logger } from '../plugin-api/index.ts';
import { ConfigError, ParserError } from '../plugin-api/index.ts';
import type { CommonDefaults } from './common-params.ts';
import { TimeParseError } from './numeric-time.ts';
import { setOwnProperty } from './own-property.ts';
import { createEventTimeParser, type EventTimeParser, type TimeSettings } from './time-parser.ts';
import { buildTypeConverters, type ValueConverter } from './type-converters.ts';

/** The common parameters as read by a parser's schema (see commonParserParams). */
export interface CommonParams {
  time_key?: string | undefined;
  time_format?: string | undefined;
  time_type: NonNullable<CommonDefaults['time_type']>;
  time_format_fallbacks: string[];
  localtime: boolean;
  utc: boolean;
  timezone?: string | undefined;
  keep_time_key: boolean;
  estimate_current_event: boolean;
  types?: Record<string, string> | undefined;
  null_value_pattern?: RegExp | undefined;
  null_empty_string: boolean;
}

/**
 * What every Fluentd parser inherits from Parser: reading the time field (parse_time), the `types` / null
 * conversions (convert_values), and the time parser built from the time parameters. One instance per parser,
 * built at configure time; the per-line methods allocate nothing but the result.
 */
export class ParserCore {
  readonly timeKey: string | undefined;
  readonly keepTimeKey: boolean;
  readonly estimateCurrentEvent: boolean;
  readonly timeSettings: TimeSettings;
  readonly timeParser: EventTimeParser;
  private readonly converters: Map<string, ValueConverter> | null;
  private readonly nullPattern: RegExp | null;
  private readonly nullEmpty: boolean;
  private readonly convert: boolean;

  constructor(params: CommonParams, conf: ConfigElement, log?: Pick<Logger, 'warn'>) {
    const zone = resolveLocaltime(
      { time_format: params.time_format, localtime: params.localtime, utc: params.utc, timezone: params.timezone },
      conf,
    );
    if ('time_type' in conf.attrs && params.time_type === 'mixed' && params.time_format === undefined
      && params.time_format_fallbacks.length === 0) {
      throw configError(conf, 'time_type', 'time_type is :mixed but time_format and time_format_fallbacks is empty.');
    }
    if (params.time_type !== 'mixed' && params.time_format_fallbacks.length > 0) {
      log?.warn({}, 'time_format_fallbacks is used only with time_type mixed (as in Fluentd); it has no effect here');
    }
    this.timeKey = params.time_key;
    this.keepTimeKey = params.keep_time_key;
    this.estimateCurrentEvent = params.estimate_current_event;
    this.timeSettings = {
      type: params.time_type,
      format: params.time_format,
      fallbacks: params.time_format_fallbacks,
      localtime: zone.localtime,
      utc: zone.utc,
      timezone: params.timezone,
    };
    this.timeParser = this.createTimeParser({}, conf);
    try {
      this.converters = params.types ? buildTypeConverters(params.types, this.timeSettings) : null;
    } catch (err) {
      throw configError(conf, 'types', (err as Error).message);
    }
    this.nullPattern = params.null_value_pattern ? nonGlobal(params.null_value_pattern) : null;
    this.nullEmpty = params.null_empty_string;
    this.convert = this.converters !== null || this.nullPattern !== null || this.nullEmpty;
  }

  /** Fluentd's time_parser_create with some settings replaced (syslog's formats, apache2's fixed format). */
  createTimeParser(overrides: Partial<TimeSettings>, conf: ConfigElement): EventTimeParser {
    try {
      return createEventTimeParser({ ...this.timeSettings, ...overrides });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw configError(conf, 'time_format', (err as Error).message);
    }
  }

  /** The time key a parser may leave out of the record it builds (and hand to addWithTime): removed anyway. */
  get removedTimeKey(): string | undefined {
    return this.keepTimeKey ? undefined : this.timeKey;
  }

  private timeOfAbsentKey(): EventTime | null {
    return this.estimateCurrentEvent ? nowEventTime() : null;
  }

  /** Fluentd's convert_values: null patterns, then `types`. */
  convertValues(record: EventRecord): void {
    if (!this.convert) return;
    for (const key in record) {
      const value = record[key];
      if (value === null || value === undefined || value === false) continue;
      if (typeof value === 'string' && this.isNullLike(value)) {
        record[key] = null;
        continue;
      }
      const conv = this.converters?.get(key);
      if (conv) record[key] = conv(value);
    }
  }

  /**
   * Fluentd's parse_time + convert_values + yield: the time from the time field (removed unless keep_time_key), else
   * now or none; the event goes into the batch.
   */
  add(record: EventRecord, out: EventBatch): void {
    const key = this.timeKey;
    if (key === undefined || !Object.hasOwn(record, key)) {
      this.addTimed(record, this.timeOfAbsentKey(), out);
      return;
    }
    const time = parseTimeValue(this.timeParser, record[key]);
    this.addTimed(this.keepTimeKey ? record : withoutKey(record, key), time, out);
  }

  /** add() for a record built without removedTimeKey, whose value (undefined: absent) is `timeValue`. */
  addWithTime(record: EventRecord, timeValue: unknown, out: EventBatch): void {
    this.addTimed(record, timeValue === undefined ? this.timeOfAbsentKey() : parseTimeValue(this.timeParser, timeValue), out);
  }

  private addTimed(record: EventRecord, time: EventTime | null, out: EventBatch): void {
    this.convertValues(record);
    if (time === null) out.add(NaN, 0, record);
    else out.add(time.sec, time.nsec, record);
  }

  private isNullLike(value: string): boolean {
    return (this.nullEmpty && value.length === 0) || (this.nullPattern !== null && this.nullPattern.test(value));
  }
}

/** A time parse whose failure is the parser's ParserError, with Fluentd's message. */
export function parseTimeValue(parser: EventTimeParser, value: unknown): EventTime {
  try {
    return parser.parse(value);
  } catch (err) {
    if (err instanceof TimeParseError) throw new ParserError(err.message);
    throw err;
  }
}

function nonGlobal(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

export function configError(conf: ConfigElement, param: string, message: string): ConfigError {
  return new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: conf.name, param });
}

/**
 * The record without `key`, keys in order. A copy rather than `delete`, which turns the object into a slow
 * dictionary-mode one that every later step (JSON.stringify above all) pays for.
 */
function withoutKey(record: EventRecord, key: string): EventRecord {
  const out: EventRecord = {};
  for (const k of Object.keys(record)) {
    if (k === key) continue;
    if (k === '__proto__') setOwnProperty(out, k, record[k]); // the one key an assignment would not store
    else out[k] = record[k];
  }
  return out;
}
