import type { ConfigElement } from '../config/element.ts';
import { newElement } from '../config/element.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { Formatter, Parser, PluginContext } from '../plugin-api/types.ts';
import { PluginFactory } from './plugin-factory.ts';
import { PluginRegistry } from './registry.ts';

/**
 * Parsers and formatters outside a running pipeline (`logferry parse`, `logferry format`, benchmarks): built through
 * the same registry and factory as in a config, so what the CLI shows is what the agent does.
 */
export interface StandaloneOptions {
  pluginDirs?: string[];
  log: Logger;
}

/** A `<parse>`/`<format>` section from `--type` and `--param key=value` pairs. */
export function sectionFromParams(name: 'parse' | 'format', type: string, params: Record<string, string>): ConfigElement {
  const section = newElement(name, '', { file: '(command line)', line: 0 });
  Object.assign(section.attrs, params, { '@type': type });
  return section;
}

export function buildParser(section: ConfigElement, options: StandaloneOptions): Promise<Parser> {
  const { factory, parent } = standaloneFactory(options);
  return factory.createParser(section, {}, parent);
}

export function buildFormatter(section: ConfigElement, options: StandaloneOptions): Promise<Formatter> {
  const { factory, parent } = standaloneFactory(options);
  return factory.createFormatter(section, {}, parent);
}

function standaloneFactory(options: StandaloneOptions): { factory: PluginFactory; parent: PluginContext } {
  const system = { rootDir: undefined, workers: 1, workerId: 0, logLevel: 'info', filePermission: 0o644, dirPermission: 0o755 };
  const factory = new PluginFactory(new PluginRegistry(options.pluginDirs), system, options.log, {
    emit: () => Promise.reject(new Error('a standalone parser or formatter cannot emit events')),
    emitError: (tag, _sec, _nsec, record, error) => options.log.warn({ tag, record, error: error.message }, 'dump an error event'),
  });
  const parent: PluginContext = {
    id: 'standalone',
    type: 'standalone',
    log: options.log,
    system,
    location: { file: '(command line)', line: 0 },
    createParser: (section, defaults = {}) => factory.createParser(section, defaults, parent),
    createFormatter: (section, defaults = {}) => factory.createFormatter(section, defaults, parent),
  };
  return { factory, parent };
}
