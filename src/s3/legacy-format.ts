import { newElement, type ConfigElement } from '../plugin-api/index.ts';

// compat_parameters.rb FORMATTER_PARAMS: top-level v0.12 names and the <format> parameter each becomes.
const FORMATTER_PARAMS: Record<string, string> = {
  format: '@type', delimiter: 'delimiter', force_quotes: 'force_quotes', keys: 'keys', fields: 'fields',
  json_parser: 'json_parser', label_delimiter: 'label_delimiter', output_time: 'output_time', output_tag: 'output_tag',
  localtime: 'localtime', utc: 'utc', timezone: 'timezone', message_key: 'message_key', add_newline: 'add_newline',
  output_type: 'output_type',
};

/**
 * Fluentd's compat_parameters_formatter, which out_s3 runs: without a <format>, any of these top-level parameters
 * makes one (a bare `utc` gives the default out_file format UTC times: `2011-01-02T13:14:15Z`). Parameters the
 * plugin also reads itself (utc, localtime, timezone: the buffer and <inject> see them too) are copied; the rest move.
 */
export function moveLegacyFormatParams(conf: ConfigElement, ownParams: Readonly<Record<string, unknown>>): void {
  if (conf.elements.some((e) => e.name === 'format')) return;
  const present = Object.keys(conf.attrs).filter((k) => k in FORMATTER_PARAMS);
  if (present.length === 0) return;
  const section = newElement('format', '', conf.attrLocations[present[0]!] ?? conf.location);
  for (const key of present) {
    const target = FORMATTER_PARAMS[key]!;
    section.attrs[target] = conf.attrs[key]!;
    section.attrLocations[target] = conf.attrLocations[key] ?? conf.location;
    if (!(key in ownParams)) {
      delete conf.attrs[key];
      delete conf.attrLocations[key];
    }
  }
  conf.elements.push(section);
}
