/**
 * Time parsing as Fluentd does it: Ruby's Time.strptime compiled to one RegExp, Time.iso8601, a subset of
 * Time.parse, the numeric time types, and the entry point parsers call (compileTimeParser).
 */
export { compileStrptime } from './strptime-format.ts';
export { parseIso8601, parseRubyTimeFlexible } from './flexible.ts';
export { compileTimeParser, parseNumericTime, TimeParseError, type TimeType } from './time-parser.ts';
