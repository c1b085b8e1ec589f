import type { ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import type { EmbedOptions } from '../config/parser.ts';
import { parseConfigFile, parseConfigString } from '../config/parser.ts';
import { EventBatch, type EventRecord } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { FilterPlugin, InputPlugin, OutputHandle } from '../plugin-api/types.ts';
import { LabelRouter } from './router.ts';
import { PluginFactory, type Routing } from './plugin-factory.ts';
import { PluginRegistry } from './registry.ts';
import { readSystemConfig, type SystemConfig } from './system-config.ts';

export interface EngineOptions {
  pluginDirs?: string[];
  /** The agent's logger, or a function that makes it from <system> (log_level, <log> format). */
  log: Logger | ((system: SystemConfig) => Logger);
  /** `--without-source`: build and run everything but the inputs. */
  withoutSource?: boolean;
  embed?: EmbedOptions;
}

const ROOT_LABEL = '@ROOT';
const ERROR_LABEL = '@ERROR';
const TOP_LEVEL = new Set(['source', 'match', 'filter', 'label', 'system', 'worker']);

/** Every problem of a config, each a ConfigError with file:line, so --dry-run reports them all at once. */
export class ConfigErrors extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

/**
 * A configured pipeline: inputs -> label routers (filters, first matching <match>) -> outputs. Built from a parsed
 * config; `start` starts outputs, then filters, then inputs; `shutdown` stops in the reverse order so inputs stop
 * producing before outputs flush.
 */
export class Engine implements Routing {
  readonly labels = new Map<string, LabelRouter>();
  private readonly inputs: Array<{ id: string; plugin: InputPlugin }> = [];
  private readonly filters: FilterPlugin[] = [];
  private readonly outputs: OutputHandle[] = [];
  private started = false;

  private constructor(
    readonly root: ConfigElement,
    readonly system: SystemConfig,
    readonly log: Logger,
  ) {}

  static async fromFile(file: string, options: EngineOptions): Promise<Engine> {
    return Engine.build(parseConfigFile(file, options.embed), options);
  }

  static async fromConfigString(text: string, file: string, options: EngineOptions): Promise<Engine> {
    return Engine.build(parseConfigString(text, file, options.embed), options);
  }

  static async build(root: ConfigElement, options: EngineOptions): Promise<Engine> {
    const system = readSystemConfig(root);
    const log = typeof options.log === 'function' ? options.log(system) : options.log;
    readSystemConfig(root, log); // again, now that there is a logger for its warnings
    const engine = new Engine(root, system, log);
    const factory = new PluginFactory(new PluginRegistry(options.pluginDirs), system, log, engine);
    await engine.configure(factory, options.withoutSource || system.withoutSource);
    return engine;
  }

  private async configure(factory: PluginFactory, withoutSource: boolean | undefined): Promise<void> {
    const errors: Error[] = [];
    const attempt = async (fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        if (err instanceof ConfigErrors) errors.push(...err.errors);
        else errors.push(err as Error);
      }
    };
    const top = this.topLevelElements(this.root);
    const labelElements = top.filter((e) => e.name === 'label');
    for (const el of labelElements) {
      if (this.labels.has(el.arg)) {
        errors.push(new ConfigError(`Section <label ${el.arg}> appears twice`, { location: el.location }));
      }
      this.labels.set(el.arg, this.newRouter(el.arg));
    }
    const rootRouter = this.newRouter(ROOT_LABEL);
    this.labels.set(ROOT_LABEL, rootRouter);
    await this.addRules(factory, rootRouter, top, attempt);
    for (const el of labelElements) {
      await this.addRules(factory, this.labels.get(el.arg)!, el.elements, attempt);
    }
    if (!withoutSource) {
      for (const el of top.filter((e) => e.name === 'source')) {
        await attempt(async () => {
          const label = el.attrs['@label'];
          if (label !== undefined && !this.labels.has(label)) {
            throw new ConfigError(`${label} label not found`, { location: el.attrLocations['@label'] ?? el.location, section: 'source', param: '@label' });
          }
          this.inputs.push(await factory.createInput(el));
        });
      }
    }
    if (errors.length > 0) throw new ConfigErrors(errors);
  }

  /** Top-level directives, with the contents of <worker 0> / <worker 0-N> spliced in (logferry is worker 0). */
  private topLevelElements(root: ConfigElement): ConfigElement[] {
    const out: ConfigElement[] = [];
    for (const el of root.elements) {
      if (!TOP_LEVEL.has(el.name)) {
        throw new ConfigError(`Unknown directive <${el.name}>`, { location: el.location });
      }
      if (el.name !== 'worker') {
        out.push(el);
        continue;
      }
      const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(el.arg);
      if (!m) throw new ConfigError(`worker id must be a number or a range N-M (given "${el.arg}")`, { location: el.location });
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      if (from > to || to >= this.system.workers) {
        throw new ConfigError(`worker id ${el.arg} is out of range: logferry runs worker 0 only (workers ${this.system.workers})`, { location: el.location });
      }
      out.push(...el.elements);
    }
    return out;
  }

  private async addRules(
    factory: PluginFactory,
    router: LabelRouter,
    elements: ConfigElement[],
    attempt: (fn: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    for (const [position, el] of elements.entries()) {
      // `logferry route` names a rule by its @id, else by its position among the label's directives.
      const ruleId = el.attrs['@id'] ?? `${el.name}[${position}]`;
      if (el.name === 'filter') {
        await attempt(async () => {
          const { plugin } = await factory.createFilter(el);
          this.filters.push(plugin);
          router.addFilter(ruleId, el.arg || '**', plugin);
        });
      } else if (el.name === 'match') {
        await attempt(async () => {
          const label = el.attrs['@label'];
          if (label !== undefined && !this.labels.has(label)) {
            throw new ConfigError(`${label} label not found`, { location: el.attrLocations['@label'] ?? el.location, section: 'match', param: '@label' });
          }
          const output = await factory.createOutput(el);
          this.outputs.push(output);
          router.addMatch(ruleId, el.arg || '**', output);
        });
      } else if (router.name !== ROOT_LABEL) {
        throw new ConfigError(`<${el.name}> is not allowed inside <label>`, { location: el.location });
      }
    }
  }

  private newRouter(name: string): LabelRouter {
    return new LabelRouter(name, this.log, (tag, batch, error) => {
      for (let i = 0; i < batch.length; i++) {
        this.emitError(tag, batch.secs[i]!, batch.nsecs[i]!, batch.records[i]!, error, name);
      }
    });
  }

  // ---- Routing --------------------------------------------------------------------------------------------

  emit(label: string | undefined, tag: string, batch: EventBatch): Promise<void> {
    const router = this.labels.get(label ?? ROOT_LABEL);
    if (!router) return Promise.reject(new Error(`${label} label not found`));
    return router.emit(tag, batch);
  }

  emitError(tag: string, sec: number, nsec: number, record: EventRecord, error: Error, pluginId: string): void {
    const errorLabel = this.labels.get(ERROR_LABEL);
    if (errorLabel) {
      errorLabel.emit(tag, EventBatch.single(sec, nsec, record)).catch((err: Error) => {
        this.log.error({ tag, record, err, plugin_id: pluginId }, 'failed to route an error event to @ERROR; it is logged here');
      });
      return;
    }
    this.log.warn(
      { tag, event_time: sec, record, error: error.message, error_class: error.name, plugin_id: pluginId },
      'dump an error event',
    );
  }

  /** What `logferry route TAG` prints: which filters and which match an event with this tag reaches. */
  route(tag: string, label = ROOT_LABEL): { filters: string[]; match: string | null } {
    const router = this.labels.get(label);
    if (!router) throw new Error(`label ${label} not found`);
    const { filters, match } = router.pipeline(tag);
    return { filters: filters.map((f) => f.id), match: match ? match.id : null };
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    for (const output of this.outputs) await output.start();
    for (const filter of this.filters) await filter.start?.();
    for (const input of this.inputs) await input.plugin.start();
    this.started = true;
  }

  /** SIGUSR1: every buffer enqueues and flushes what it holds. */
  async flushAll(): Promise<void> {
    await Promise.all(this.outputs.map((o) => o.flush()));
  }

  async shutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const input of this.inputs) {
      await input.plugin.shutdown();
    }
    for (const filter of this.filters) await filter.shutdown?.();
    await Promise.all(this.outputs.map((o) => o.shutdown()));
  }
}
