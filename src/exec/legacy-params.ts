import type { ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';

// Fluentd's compat_parameters for in_exec (compat_parameters_convert(conf, :extract, :parser)): v0.12 settings
// written on the <source> itself. EXTRACT_PARAMS are copied into a new <extract>; a <parse> is built from
// `format` and PARSER_PARAMS.
const EXTRACT_KEYS = ['time_key', 'time_format', 'timezone', 'tag_key'] as const;
const PARSER_KEYS = [
  'format', 'types', 'types_delimiter', 'types_label_delimiter', 'keys', 'time_key', 'time_format', 'localtime', 'utc',
  'delimiter', 'keep_time_key', 'null_empty_string', 'null_value_pattern', 'json_parser', 'label_delimiter',
  'format_firstline', 'message_key', 'with_priority', 'message_format', 'rfc5424_time_format',
];

/**
 * Copies the v0.12 top-level tag_key / time_key / time_format / timezone / localtime / utc into a new <extract>
 * (when there is none), as Fluentd does. The parse-side move is the engine's (convertLegacyParse, keyed on `format`);
 * in_exec's v0.12 format defaulted to tsv, so parser settings without `format` get `format tsv` here for it.
 * Keys only the new <extract> reads are removed from the source so they are not reported as unused.
 */
export function convertLegacyExecParams(conf: ConfigElement): void {
  const attrs = conf.attrs;
  const hasParse = conf.elements.some((e) => e.name === 'parse');
  if (!conf.elements.some((e) => e.name === 'extract') && (EXTRACT_KEYS.some((k) => k in attrs) || 'format' in attrs)) {
    conf.elements.push(legacyExtract(conf));
    // Copied keys that nothing else reads leave the source; the others go on to the <parse> conversion.
    const consumed: readonly string[] = hasParse ? [...EXTRACT_KEYS, 'localtime', 'utc'] : ['tag_key', 'timezone'];
    for (const key of consumed) {
      delete attrs[key];
      delete conf.attrLocations[key];
    }
  }
  if (!hasParse && !('format' in attrs)) {
    const first = PARSER_KEYS.find((k) => k in attrs);
    if (first !== undefined) {
      attrs.format = 'tsv';
      const where = conf.attrLocations[first];
      if (where) conf.attrLocations.format = where;
    }
  }
}

function legacyExtract(conf: ConfigElement): ConfigElement {
  const { attrs } = conf;
  const extract: ConfigElement = {
    name: 'extract', arg: '', attrs: {}, elements: [], location: conf.location, attrLocations: {}, nils: new Set(),
  };
  for (const key of EXTRACT_KEYS) {
    if (key in attrs) {
      extract.attrs[key] = attrs[key]!;
      const where = conf.attrLocations[key];
      if (where) extract.attrLocations[key] = where;
    }
  }
  const format = attrs.format;
  if (format !== undefined && format.length > 1 && format.startsWith('/') && format.endsWith('/')) {
    extract.attrs.time_key ??= 'time';
    extract.attrs.time_type ??= 'string';
  }
  if ('localtime' in attrs && 'utc' in attrs) {
    throw new ConfigError('both of utc and localtime are specified, use only one of them', {
      location: conf.attrLocations.utc ?? conf.location, section: conf.name, param: 'utc',
    });
  }
  if ('localtime' in attrs) extract.attrs.localtime = attrs.localtime!;
  if ('utc' in attrs) extract.attrs.utc = attrs.utc!;
  return extract;
}
