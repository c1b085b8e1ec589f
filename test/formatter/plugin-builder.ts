import { Writable } from 'node:stream';
import { pino } from 'pino';
import { newElement, type ConfigElement } from '../../src/config/element.ts';
import { readSection } from '../../src/plugin-api/read-section.ts';
import type { Logger } from '../../src/plugin-api/logger.ts';
import type {
  FilterDefinition, InputContext, FilterPlugin, Formatter, FormatterDefinition, PluginContext,
} from '../../src/plugin-api/types.ts';
import type { EventBatch, EventRecord } from '../../src/event/event-batch.ts';

/**
 * Builds real plugins from their definitions with a real context, for tests that exercise one plugin without a
 * whole engine: parameters go through the plugin's schema exactly as the factory reads them.
 */
export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export function testLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink) as unknown as Logger, lines };
}

export function element(name: string, attrs: Record<string, string>, children: ConfigElement[] = [], arg = ''): ConfigElement {
  const el = newElement(name, arg, { file: 'test.conf', line: 1 });
  Object.assign(el.attrs, attrs);
  el.elements = children;
  return el;
}

const PLUGINS = new URL('../../plugins/', import.meta.url);

export async function loadDefinition<D>(file: string): Promise<D> {
  return ((await import(new URL(file, PLUGINS).href)) as { default: D }).default;
}

export interface TestContext extends InputContext {
  errors: Array<{ tag: string; record: EventRecord; error: Error }>;
  emitted: Array<{ tag: string; batch: EventBatch }>;
}

export function testContext(log: Logger): TestContext {
  const ctx: TestContext = {
    id: 'test', type: 'test', log,
    system: { rootDir: undefined, workers: 1, workerId: 0, logLevel: 'info', filePermission: 0o644, dirPermission: 0o755 },
    location: { file: 'test.conf', line: 1 },
    createParser: () => Promise.reject(new Error('no parsers in these tests')),
    createFormatter: (section, defaults = {}) => {
      const conf = element('format', { ...defaults, ...section?.attrs }, section?.elements ?? []);
      return buildFormatter(conf.attrs['@type']!, conf.attrs, log);
    },
    errors: [],
    emitted: [],
    emit: async (tag, batch) => {
      ctx.emitted.push({ tag, batch });
    },
    emitError: (tag, _sec, _nsec, record, error) => {
      ctx.errors.push({ tag, record, error });
    },
    agent: {
      plugins: () => [],
      outputIdForTag: () => null,
      options: () => ({ configPath: 'test.conf', pluginDirs: [], logLevel: 'info', rootDir: undefined, withoutSource: false }),
    },
  };
  return ctx;
}

export async function buildFormatter(type: string, attrs: Record<string, string> = {}, log = testLogger().log): Promise<Formatter> {
  const def = await loadDefinition<FormatterDefinition>(`formatter_${type}.ts`);
  const conf = element('format', { '@type': type, ...attrs });
  const ctx: PluginContext = testContext(log);
  return def.create(ctx, readSection(def.params, conf, { log }), conf);
}

export async function buildFilter(
  type: string, attrs: Record<string, string>, children: ConfigElement[] = [],
): Promise<{ plugin: FilterPlugin; ctx: TestContext; lines: LogLine[] }> {
  const { log, lines } = testLogger();
  const def = await loadDefinition<FilterDefinition>(`filter_${type}.ts`);
  const conf = element('filter', { '@type': type, ...attrs }, children);
  const ctx = testContext(log);
  return { plugin: await def.create(ctx, readSection(def.params, conf, { log }), conf), ctx, lines };
}
