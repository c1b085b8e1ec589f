import { buildFormatter, sectionFromParams } from '../engine/standalone.ts';
import type { Formatter, Logger } from '../plugin-api/index.ts';

/**
 * A formatter from a type and `key=value` parameters, built through the engine's registry and factory exactly as a
 * `<format>` section in a config would be (`logferry format`, tests, benchmarks).
 */
export function createFormatterFromParams(
  type: string,
  params: Record<string, string>,
  options: { log: Logger; pluginDirs?: string[] },
): Promise<Formatter> {
  return buildFormatter(sectionFromParams('format', type, params), options);
}
