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
  return result.data;
}

function sectionLabel(element: ConfigElement): string {
  return element.arg ? `${element.name} ${element.arg}` : element.name;
}
