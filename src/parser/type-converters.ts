import { rubyToS } from '../formatter/ruby-inspect.ts';
import { createSplitter } from './ruby-split.ts';
import { rubyToF, rubyToI } from './ruby-values.ts';
import { createEventTimeParser, isValidTimezone, type TimeSettings } from './time-parser.ts';

export type ValueConverter = (value: unknown) => unknown;

const TRUTHY = new Set(['true', 'yes', '1']);
const TIME_TYPES = new Set(['string', 'unixtime', 'float', 'mixed']);

/**
 * Fluentd's build_type_converters: `types name:type[:option],...`. A `time` value becomes the event time's whole
 * seconds (what Fluentd's EventTime serializes to in JSON), or null when it does not parse.
 */
export function buildTypeConverters(types: Record<string, string>, time: TimeSettings): Map<string, ValueConverter> {
  const converters = new Map<string, ValueConverter>();
  for (const [field, definition] of Object.entries(types)) {
    const colon = definition.indexOf(':');
    const type = colon < 0 ? definition : definition.slice(0, colon);
    const option = colon < 0 ? undefined : definition.slice(colon + 1);
    converters.set(field, converterFor(field, type, option, time));
  }
  return converters;
}

function converterFor(field: string, type: string, option: string | undefined, time: TimeSettings): ValueConverter {
  switch (type) {
    case 'string':
      return rubyToS;
    case 'integer':
      return rubyToI;
    case 'float':
      return rubyToF;
    case 'bool':
      return (v) => TRUTHY.has(rubyToS(v).toLowerCase());
    case 'array': {
      const splitter = createSplitter(option ?? ',');
      return (v) => splitter.split(rubyToS(v));
    }
    case 'time': {
      const parser = createEventTimeParser({ ...time, ...timeOption(option) });
      return (v) => {
        try {
          return parser.parse(v).sec;
        } catch {
          return null;
        }
      };
    }
    default:
      throw new Error(`unknown value conversion for key:'${field}', type:'${type}'`);
  }
}

/** `time[:timezone][:format]` or `time:unixtime|float|mixed`. */
function timeOption(option: string | undefined): Partial<TimeSettings> {
  if (option === undefined) return { type: 'string', format: undefined, timezone: undefined };
  const colon = option.indexOf(':');
  let timezone: string | undefined = colon < 0 ? option : option.slice(0, colon);
  let format: string | undefined = colon < 0 ? undefined : option.slice(colon + 1);
  if (!isValidTimezone(timezone)) {
    timezone = undefined;
    format = option;
  }
  if (format !== undefined && TIME_TYPES.has(format)) {
    return { type: format as TimeSettings['type'], format: undefined, timezone };
  }
  return { type: 'string', format, timezone };
}
