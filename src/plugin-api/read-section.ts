import type { z } from 'zod';
import type { ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import { describeParams } from './describe-params.ts';
import type { Logger } from './logger.ts';
import type { ParamsSchema } from './params.ts';

const RESERVED = new Set(['@type', '@id', '@label', '@log_level']);

export interface ReadSectionOptions {
  /** Receives Fluentd's "parameter 'x' in <section> is not used." warnings. */
  log?: Pick<Logger, 'warn'>;
  /** Attributes consumed by someone else (the engine's compat layer, a wrapping helper): not warned about. */
  consumed?: ReadonlySet<string>;
  /** Values underneath the section's own (Fluentd's config_set_default), as config strings. */
  defaults?: Record<string, string>;
}

/**
 * Converts a section's attributes into typed parameters with the plugin's schema. A bad value is a ConfigError that
 * names the file, line, section and parameter; an unknown parameter is a warning, as in Fluentd.
 */
export function readSection<S extends ParamsSchema>(
  schema: S,
  element: ConfigElement,
  options: ReadSectionOptions = {},
): z.output<S> {
  const shape = schema.shape;
  const input: Record<string, unknown> = { ...options.defaults };
  for (const [key, value] of Object.entries(element.attrs)) {
    if (key in shape) {
      input[key] = value;
    } else if (!RESERVED.has(key) && !options.consumed?.has(key)) {
      const where = element.attrLocations[key] ?? element.location;
      options.log?.warn(
        { file: where.file, line: where.line },
        `parameter '${key}' in <${sectionLabel(element)}> is not used.`,
      );
    }
  }
  for (const key of element.nils) delete input[key];

  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = String(issue.path[0] ?? '');
    const location = element.attrLocations[param] ?? element.location;
    const secret = describeParams(schema).some((d) => d.name === param && d.secret);
    const given = param in element.attrs ? ` (given ${secret ? 'xxxxxx' : JSON.stringify(element.attrs[param])})` : '';
    const message = issue.code === 'invalid_type' && input[param] === undefined ? 'is required' : issue.message;
    throw new ConfigError(`${message}${given}`, { location, section: sectionLabel(element), param });
  }
  const params = result.data as Record<string, unknown>;
  for (const key of element.nils) if (key in shape) params[key] = undefined;
  warnFractionWithUnit(schema, element, params, options.log);
  return result.data;
}

/**
 * Fluentd reads a time's unit with the whole digits just before it, so `0.5s` is 5 seconds and `1.5m` 300: logferry
 * reads it the same way, and says so, since that is rarely what was meant.
 */
function warnFractionWithUnit(schema: ParamsSchema, element: ConfigElement, params: Record<string, unknown>, log: ReadSectionOptions['log']): void {
  if (!log || !Object.values(element.attrs).some((v) => FRACTION_WITH_UNIT.test(v))) return;
  for (const { name, type } of describeParams(schema)) {
    const text = element.attrs[name];
    if (type !== 'time' || text === undefined || !FRACTION_WITH_UNIT.test(text)) continue;
    const where = element.attrLocations[name] ?? element.location;
    log.warn({ file: where.file, line: where.line }, `${name} ${text} is read as ${String(params[name])} seconds, as Fluentd reads it (a unit takes the whole digits before it); write the value in seconds without a unit, e.g. ${name} ${Number.parseFloat(text) * UNIT_SECONDS[text.trim().slice(-1)]!}`);
  }
}

const FRACTION_WITH_UNIT = /^\s*\d*\.\d+\s*[smhd]\s*$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function sectionLabel(element: ConfigElement): string {
  return element.arg ? `${element.name} ${element.arg}` : element.name;
}
