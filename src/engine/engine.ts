import type { ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import type { EmbedOptions } from '../config/parser.ts';
import { parseConfigFile, parseConfigString } from '../config/parser.ts';
import { EventBatch, type EventRecord } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import { BufferedOutputHandle } from '../buffer/buffered-output.ts';
import { UnbufferedOutputHandle } from '../buffer/unbuffered-output.ts';
import type { AgentOptions, AgentView, FilterPlugin, InputPlugin, OutputHandle, PluginInfo } from '../plugin-api/types.ts';
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

/** A configured plugin as monitor_agent lists it: where it is, what it is, and its live counters. */
interface Monitored {
  category: PluginInfo['category'];
  /** The label it belongs to (inputs: none). */
  label: string | null;
  id: string;
  type: string;
  config: Record<string, string>;
  stats: { emitRecords: number };
  output?: OutputHandle;
}

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
  private readonly monitored: Monitored[] = [];
  private started = false;
  private agentOptions: AgentOptions | undefined;

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
    const registry = new PluginRegistry(options.pluginDirs);
    const withoutSource = Boolean(options.withoutSource || system.withoutSource);
    engine.agentOptions = {
      configPath: root.location.file, pluginDirs: [...registry.dirs], logLevel: system.logLevel, rootDir: system.rootDir, withoutSource,
    };
    const factory = new PluginFactory(registry, system, log, engine, engine.agentView);
    await engine.configure(factory, withoutSource);
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
          const input = await factory.createInput(el);
          this.inputs.push(input);
          this.monitored.push({ category: 'input', label: null, id: input.id, ...factory.describe(el), stats: input.stats });
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
          const { id, plugin } = await factory.createFilter(el, router.name);
          this.filters.push(plugin);
          // Fluentd's filter emit_records: the records a filter passes on.
          const stats = { emitRecords: 0 };
          router.addFilter(ruleId, el.arg || '**', {
            filter: (tag, batch) => {
              const out = plugin.filter(tag, batch);
              if (out) stats.emitRecords += out.length;
              return out;
            },
          });
          this.monitored.push({ category: 'filter', label: router.name, id, ...factory.describe(el), stats });
        });
      } else if (el.name === 'match') {
        await attempt(async () => {
          const label = el.attrs['@label'];
          if (label !== undefined && !this.labels.has(label)) {
            throw new ConfigError(`${label} label not found`, { location: el.attrLocations['@label'] ?? el.location, section: 'match', param: '@label' });
          }
          const output = await factory.createOutput(el, undefined, router.name);
          this.outputs.push(output);
          router.addMatch(ruleId, el.arg || '**', output);
          this.monitored.push({ category: 'output', label: router.name, id: output.id, ...factory.describe(el), stats: { emitRecords: 0 }, output });
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
    return router.emit(tag, batch).catch((err: Error) => {
      this.logEmitFailure(tag, err);
      throw err;
    });
  }

  /** When an emit may log again: Fluentd's emit_error_log_interval throttle of "emit transaction failed". */
  private nextEmitFailureLog = 0;

  /**
   * Fluentd's handle_emits_error without an @ERROR label: one warning per failed emit, at most one per
   * `<system> emit_error_log_interval`. The emitter still gets the error and keeps its events (in_tail its
   * position, in_exec its run) to try again.
   */
  private logEmitFailure(tag: string, err: Error): void {
    const now = Date.now();
    if (now < this.nextEmitFailureLog) return;
    this.log.warn({ tag, err }, 'emit transaction failed');
    this.nextEmitFailureLog = now + (this.system.emitErrorLogInterval ?? 0) * 1000;
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

  // ---- monitoring -----------------------------------------------------------------------------------------

  /** What inputs see of the engine (InputContext.agent): monitor_agent's plugin list, ?tag= lookup and options. */
  readonly agentView: AgentView = {
    plugins: () => this.pluginsInfo(),
    outputIdForTag: (tag) => {
      // Fluentd walks the top-level match rules without the routing cache; an arbitrary ?tag= must not fill it.
      const rule = this.labels.get(ROOT_LABEL)?.rules.find((r) => r.kind === 'match' && r.matches(tag));
      return rule?.kind === 'match' ? rule.output.id : null;
    },
    options: () => ({ ...this.agentOptions!, pluginDirs: [...this.agentOptions!.pluginDirs] }),
  };

  /** Fluentd's all_plugins order: inputs, the top level's outputs then filters, then each label's. */
  private pluginsInfo(): PluginInfo[] {
    const labelOrder = [ROOT_LABEL, ...[...this.labels.keys()].filter((l) => l !== ROOT_LABEL)];
    const ordered = [
      ...this.monitored.filter((m) => m.category === 'input'),
      ...labelOrder.flatMap((label) => [
        ...this.monitored.filter((m) => m.label === label && m.category === 'output'),
        ...this.monitored.filter((m) => m.label === label && m.category === 'filter'),
      ]),
    ];
    return ordered.map((m) => {
      const info: PluginInfo = { id: m.id, category: m.category, type: m.type, config: { ...m.config }, emitRecords: m.stats.emitRecords };
      if (m.output instanceof BufferedOutputHandle) {
        info.buffer = m.output.metrics();
        info.emitRecords = info.buffer.emitRecords;
      } else if (m.output instanceof UnbufferedOutputHandle) {
        Object.assign(info, m.output.metrics());
      }
      return info;
    });
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
