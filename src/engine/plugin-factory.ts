import { randomBytes } from 'node:crypto';
import type { ConfigElement } from '../config/element.ts';
import { newElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import type { EventBatch, EventRecord } from '../event/event-batch.ts';
import {
  applyCompatParams,
  bufferParams,
  BufferedOutputHandle,
  extractPlaceholders,
  resolveBufferSettings,
  UnbufferedOutputHandle,
  type BufferSettings,
  type BufferStorage,
} from '../buffer/index.ts';
import type { Logger } from '../plugin-api/logger.ts';
import { readSection } from '../plugin-api/read-section.ts';
import { describeParams } from '../plugin-api/describe-params.ts';
import { maskSecrets } from '../config/dump.ts';
import type {
  AgentView,
  BufferDefinition,
  EmittingContext,
  FilterDefinition,
  FilterPlugin,
  Formatter,
  FormatterDefinition,
  InputContext,
  InputDefinition,
  InputPlugin,
  OutputContext,
  OutputDefinition,
  OutputHandle,
  OutputPlugin,
  Parser,
  ParserDefinition,
  PluginContext,
  PluginDefinition,
  PluginKind,
  SystemSettings,
} from '../plugin-api/types.ts';
import { convertLegacyFormat, convertLegacyParse } from './compat-sections.ts';
import type { PluginRegistry } from './registry.ts';

/** How plugins reach the router; implemented by the engine. */
export interface Routing {
  /** Routes into a label (`@NAME`), or the top level when label is undefined. */
  emit(label: string | undefined, tag: string, batch: EventBatch): Promise<void>;
  emitError(tag: string, sec: number, nsec: number, record: EventRecord, error: Error, pluginId: string): void;
}

const LABEL_KEY = '@label';

/**
 * Builds plugin instances from config sections: finds the definition, reads its parameters with its schema, gives
 * it a context, and (for outputs) wraps it in the buffer machinery. Every plugin, built-in or not, goes through here.
 */
export class PluginFactory {
  private readonly ids = new Set<string>();
  /** The definition each section was built with, so `describe` can tell its type and secret parameters. */
  private readonly defs = new WeakMap<ConfigElement, PluginDefinition>();

  constructor(
    readonly registry: PluginRegistry,
    readonly system: SystemSettings,
    readonly log: Logger,
    private readonly routing: Routing,
    /** Absent for standalone parsers and formatters, which build no inputs. */
    private readonly agent?: AgentView,
  ) {}

  /** `stats.emitRecords` counts what the input emits (Fluentd's input emit_records, for monitor_agent). */
  async createInput(conf: ConfigElement): Promise<{ id: string; plugin: InputPlugin; stats: { emitRecords: number } }> {
    if (!this.agent) throw new Error('inputs are built by an engine');
    const def = await this.definition<InputDefinition>('input', conf);
    if (def.helpers?.includes('parse')) convertLegacyParse(conf, Object.keys(def.params.shape));
    const base = this.emittingContext(def, conf);
    const agent = this.agent;
    const stats = { emitRecords: 0 };
    const ctx: InputContext = {
      ...base,
      emit: (tag, batch) => {
        stats.emitRecords += batch.length;
        return base.emit(tag, batch);
      },
      agent,
    };
    const params = this.readParams(def, conf, ctx.log);
    return { id: ctx.id, plugin: await def.create(ctx, params, conf), stats };
  }

  /** The `@type` and the attributes, secrets masked, of a section this factory built a plugin from. */
  describe(conf: ConfigElement): { type: string; config: Record<string, string> } {
    const def = this.defs.get(conf);
    const secrets = new Set(def ? describeParams(def.params).filter((d) => d.secret).map((d) => d.name) : []);
    return { type: conf.attrs['@type'] ?? def?.type ?? '', config: maskSecrets(conf.attrs, (key) => secrets.has(key)) };
  }

  /** `contextLabel`: the <label> the directive is in, where its emits go without an `@label` (Fluentd's context_router). */
  async createFilter(conf: ConfigElement, contextLabel?: string): Promise<{ id: string; plugin: FilterPlugin }> {
    const def = await this.definition<FilterDefinition>('filter', conf);
    if (def.helpers?.includes('parse')) convertLegacyParse(conf, Object.keys(def.params.shape));
    const ctx = this.emittingContext(def, conf, contextLabel);
    const params = this.readParams(def, conf, ctx.log);
    return { id: ctx.id, plugin: await def.create(ctx, params, conf) };
  }

  async createOutput(conf: ConfigElement, defaultType?: string, contextLabel?: string): Promise<OutputHandle> {
    const def = await this.definition<OutputDefinition>('output', conf, defaultType);
    if (def.helpers?.includes('format')) convertLegacyFormat(conf);
    const base = this.emittingContext(def, conf, contextLabel);
    applyCompatParams(conf, def, base.log);
    const settings = resolveBufferSettings(def, conf, { system: this.system, log: base.log, id: base.id });
    const ctx: OutputContext = {
      ...base,
      buffer: settings,
      extractPlaceholders: (template, chunk) => {
        if (!settings) throw new Error('extractPlaceholders needs a buffered output');
        return extractPlaceholders(template, chunk, settings);
      },
      createOutput: (section) => this.createOutput(section, undefined, contextLabel),
      emitToLabel: (label, tag, batch) => this.routing.emit(label, tag, batch),
    };
    const params = this.readParams(def, conf, ctx.log);
    const plugin = await def.create(ctx, params, conf);
    if (!settings) return new UnbufferedOutputHandle({ id: ctx.id, plugin, ctx, log: ctx.log });
    if (!plugin.write) {
      throw new ConfigError(`<buffer> is given but the ${def.type} output cannot write chunks`, { location: settings.conf.location, section: 'buffer' });
    }
    const bufferDef = await this.definition<BufferDefinition>('buffer', settings.conf, settings.type);
    const common = new Set(Object.keys(bufferParams.shape));
    const storage = (await bufferDef.create(base, readSection(bufferDef.params, settings.conf, { consumed: common }), settings.conf)) as BufferStorage;
    const secondaryConf = conf.elements.find((e) => e.name === 'secondary');
    const secondary = secondaryConf ? await this.createSecondary(secondaryConf, def, settings, contextLabel) : undefined;
    return new BufferedOutputHandle({
      id: ctx.id, settings, plugin, storage, system: this.system, log: ctx.log, secondary,
      emitError: (tag, sec, nsec, record, error) => this.routing.emitError(tag, sec, nsec, record, error, ctx.id),
    });
  }

  /**
   * <secondary>: any output type (default: the primary's), run without a buffer of its own on the primary's chunks,
   * so its placeholders resolve with the primary's chunk keys and timekey zone.
   */
  private async createSecondary(
    conf: ConfigElement, primary: OutputDefinition, primarySettings: BufferSettings, contextLabel: string | undefined,
  ): Promise<OutputPlugin> {
    const def = await this.definition<OutputDefinition>('output', conf, primary.type);
    for (const name of ['buffer', 'secondary']) {
      const nested = conf.elements.find((e) => e.name === name);
      if (nested) throw new ConfigError(`<${name}> is not allowed inside <secondary>`, { location: nested.location });
    }
    if (def.helpers?.includes('format')) convertLegacyFormat(conf);
    const base = this.emittingContext(def, conf, contextLabel);
    const ctx: OutputContext = {
      ...base,
      buffer: undefined,
      primaryBuffer: primarySettings,
      extractPlaceholders: (template, chunk) => extractPlaceholders(template, chunk, primarySettings),
      createOutput: (section) => this.createOutput(section, undefined, contextLabel),
      emitToLabel: (label, tag, batch) => this.routing.emit(label, tag, batch),
    };
    return def.create(ctx, this.readParams(def, conf, ctx.log), conf);
  }

  async createParser(section: ConfigElement | undefined, defaults: Record<string, string>, parent: PluginContext): Promise<Parser> {
    const conf = withDefaults('parse', section, defaults, parent);
    const def = await this.definition<ParserDefinition>('parser', conf);
    const ctx = this.baseContext(def, conf, parent.log);
    return def.create(ctx, this.readParams(def, conf, ctx.log), conf);
  }

  async createFormatter(section: ConfigElement | undefined, defaults: Record<string, string>, parent: PluginContext): Promise<Formatter> {
    const conf = withDefaults('format', section, defaults, parent);
    const def = await this.definition<FormatterDefinition>('formatter', conf);
    const ctx = this.baseContext(def, conf, parent.log);
    return def.create(ctx, this.readParams(def, conf, ctx.log), conf);
  }

  private async definition<D extends PluginDefinition>(kind: PluginKind, conf: ConfigElement, defaultType?: string): Promise<D> {
    renameDeprecatedReserved(conf, this.log);
    const type = conf.attrs['@type'] ?? defaultType;
    if (!type) {
      throw new ConfigError(`'@type' parameter is required`, { location: conf.location, section: conf.name });
    }
    let def: D;
    try {
      def = (await this.registry.load(kind, type)) as D;
    } catch (err) {
      throw new ConfigError((err as Error).message, {
        location: conf.attrLocations['@type'] ?? conf.location, section: conf.name, param: '@type',
      });
    }
    def.prepare?.(conf, this.system);
    this.defs.set(conf, def);
    return def;
  }

  private readParams(def: PluginDefinition, conf: ConfigElement, log: Logger): Record<string, unknown> {
    warnUnusedSections(def, conf, log);
    return readSection(def.params, conf, { log });
  }

  private baseContext(def: PluginDefinition, conf: ConfigElement, parentLog?: Logger): PluginContext {
    const id = this.pluginId(conf, def.kind !== 'parser' && def.kind !== 'formatter');
    // The log names a plugin by its @id, else by its type and where the config declares it (not by the generated id).
    const logName = conf.attrs['@id'] ?? `${def.type} ${conf.location.file}:${conf.location.line}`;
    const log = pluginLogger(parentLog ?? this.log, parentLog ? undefined : logName, conf);
    const ctx: PluginContext = {
      id,
      type: def.type,
      log,
      system: this.system,
      location: conf.location,
      createParser: (section, defaults = {}) => this.createParser(section, defaults, ctx),
      createFormatter: (section, defaults = {}) => this.createFormatter(section, defaults, ctx),
    };
    return ctx;
  }

  private emittingContext(def: PluginDefinition, conf: ConfigElement, contextLabel?: string): EmittingContext {
    const base = this.baseContext(def, conf);
    const label = conf.attrs[LABEL_KEY] ?? contextLabel;
    const ctx: EmittingContext = {
      ...base,
      createParser: (section, defaults = {}) => this.createParser(section, defaults, ctx),
      createFormatter: (section, defaults = {}) => this.createFormatter(section, defaults, ctx),
      emit: (tag, batch) => this.routing.emit(label, tag, batch),
      emitError: (tag, sec, nsec, record, error) => this.routing.emitError(tag, sec, nsec, record, error, base.id),
    };
    return ctx;
  }

  private pluginId(conf: ConfigElement, unique: boolean): string {
    const given = conf.attrs['@id'];
    if (given === undefined) return `object:${randomBytes(6).toString('hex')}`;
    if (unique) {
      if (this.ids.has(given)) {
        throw new ConfigError(`Duplicated plugin id \`${given}\`. Check whole configuration and fix it.`, {
          location: conf.attrLocations['@id'] ?? conf.location, section: conf.name, param: '@id',
        });
      }
      this.ids.add(given);
    }
    return given;
  }
}

function withDefaults(name: string, section: ConfigElement | undefined, defaults: Record<string, string>, parent: PluginContext): ConfigElement {
  const conf = newElement(name, section?.arg ?? '', section?.location ?? parent.location);
  Object.assign(conf.attrs, defaults, section?.attrs);
  if (section) {
    Object.assign(conf.attrLocations, section.attrLocations);
    conf.elements = section.elements;
    for (const key of section.nils) conf.nils.add(key);
  }
  return conf;
}

// v0.12 spelled the reserved parameters without '@'; Fluentd v1 still reads them, with a warning (config/element.rb).
const DEPRECATED_RESERVED: Array<[string, string]> = [['@type', 'type'], ['@id', 'id'], ['@log_level', 'log_level']];

function renameDeprecatedReserved(conf: ConfigElement, log: Logger): void {
  for (const [reserved, old] of DEPRECATED_RESERVED) {
    if (reserved in conf.attrs || !(old in conf.attrs)) continue;
    conf.attrs[reserved] = conf.attrs[old]!;
    const where = conf.attrLocations[old] ?? conf.location;
    conf.attrLocations[reserved] = where;
    delete conf.attrs[old];
    log.warn({ file: where.file, line: where.line }, `'${old}' is deprecated parameter name. use '${reserved}' instead.`);
  }
}

function pluginLogger(parent: Logger, id: string | undefined, conf: ConfigElement): Logger {
  const level = conf.attrs['@log_level'];
  const bindings = id ? { plugin_id: id } : {};
  // pino's child takes the level as a second argument; our Logger interface keeps plugins to the first.
  return (parent as unknown as { child(b: object, o?: object): Logger }).child(bindings, level ? { level } : undefined);
}

function warnUnusedSections(def: PluginDefinition, conf: ConfigElement, log: Logger): void {
  const known = new Set<string>([...Object.keys(def.sections ?? {}), ...(def.helpers ?? [])]);
  // Every output that can buffer can have a <secondary> (Fluentd's Output declares both sections).
  if (known.has('buffer')) known.add('secondary');
  for (const el of conf.elements) {
    if (!known.has(el.name)) {
      log.warn({ file: el.location.file, line: el.location.line }, `section <${el.name}> is not used in <${conf.name}> of ${def.type} plugin`);
    }
  }
}
