import type { ConfigElement } from '../config/element.ts';
import { newElement } from '../config/element.ts';

// v0.12 configs put parser/formatter settings on the plugin itself (`format apache2`, `time_format ...`);
// Fluentd's compat_parameters moves them into <parse>/<format>. These are the keys it moves.
const PARSER_KEYS = [
  'time_key', 'time_format', 'time_type', 'keep_time_key', 'types', 'types_delimiter', 'types_label_delimiter',
  'keys', 'null_value_pattern', 'null_empty_string', 'estimate_current_event', 'localtime', 'utc', 'timezone',
  'delimiter', 'label_delimiter', 'format_firstline', 'message_key', 'expression', 'json_parser', 'message_format',
  'with_priority', 'rfc5424_time_format', 'multiline_flush_interval',
];
const FORMATTER_KEYS = ['delimiter', 'output_tag', 'output_time', 'time_format', 'localtime', 'utc', 'timezone',
  'message_key', 'add_newline', 'label_delimiter', 'force_quotes', 'fields', 'keys', 'newline'];

/**
 * Moves a top-level `format` (and its companions) into a <parse> section, as compat_parameters does for inputs.
 * Companions the plugin declares itself (in_tcp's `delimiter`) are copied instead, so both still read them.
 */
export function convertLegacyParse(conf: ConfigElement, pluginKeys: readonly string[] = []): void {
  moveLegacy(conf, 'parse', PARSER_KEYS, pluginKeys, (format, section) => {
    if (format.startsWith('/') && format.lastIndexOf('/') > 0) {
      section.attrs['@type'] = 'regexp';
      section.attrs.expression = format;
    } else {
      section.attrs['@type'] = format === 'multiline' ? 'multiline' : format;
    }
    for (const key of Object.keys(conf.attrs)) {
      if (/^format\d+$/.test(key)) moveKey(conf, section, key);
    }
  });
}

/** The same for outputs: a top-level `format json` becomes <format @type json>. */
export function convertLegacyFormat(conf: ConfigElement): void {
  moveLegacy(conf, 'format', FORMATTER_KEYS, [], (format, section) => {
    section.attrs['@type'] = format;
  });
}

function moveLegacy(conf: ConfigElement, sectionName: string, keys: string[], keep: readonly string[], setType: (format: string, section: ConfigElement) => void): void {
  const format = conf.attrs.format;
  if (format === undefined || conf.elements.some((e) => e.name === sectionName)) return;
  const section = newElement(sectionName, '', conf.attrLocations.format ?? conf.location);
  setType(format, section);
  delete conf.attrs.format;
  for (const key of keys) {
    if (!(key in conf.attrs)) continue;
    if (keep.includes(key)) copyKey(conf, section, key);
    else moveKey(conf, section, key);
  }
  conf.elements.push(section);
}

function copyKey(from: ConfigElement, to: ConfigElement, key: string): void {
  to.attrs[key] = from.attrs[key]!;
  const where = from.attrLocations[key];
  if (where) to.attrLocations[key] = where;
}

function moveKey(from: ConfigElement, to: ConfigElement, key: string): void {
  copyKey(from, to, key);
  delete from.attrs[key];
  delete from.attrLocations[key];
}
