import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ConfigElement, SourceLocation } from '../config/element.ts';
import type { EventBatch, EventRecord } from '../event/event-batch.ts';
import type { Logger } from './logger.ts';
import type { ParamsSchema } from './params.ts';

export type PluginKind = 'input' | 'filter' | 'output' | 'parser' | 'formatter' | 'buffer';

/** Settings from `<system>` that plugins may need. */
export interface SystemSettings {
  rootDir: string | undefined;
  workers: number;
  workerId: number;
  logLevel: string;
  /** Octal modes for files and directories the plugins create. */
  filePermission: number;
  dirPermission: number;
}

/** A sub-section a plugin reads itself (grep's <regexp>, record_transformer's <record>, ...), for docs and checks. */
export interface SectionSpec {
  description: string;
  /** Attributes of the section. `null` means free-form key/value pairs (record_transformer's <record>). */
  params: ParamsSchema | null;
  multi?: boolean;
  required?: boolean;
}

/** Sections handled by the engine on the plugin's behalf. */
export type HelperSection = 'parse' | 'format' | 'buffer' | 'inject' | 'extract' | 'store' | 'secondary';

interface DefinitionBase<S extends ParamsSchema> {
  type: string;
  /** One line for the README table. */
  description: string;
  params: S;
  sections?: Record<string, SectionSpec>;
  helpers?: HelperSection[];
  /**
   * Adjusts the raw config before anything reads it, for defaults that depend on other parameters (Fluentd plugins
   * do this at the top of `configure`; out_file derives its buffer path from `path`).
   */
  prepare?(conf: ConfigElement, system: SystemSettings): void;
}

export type Params<S extends ParamsSchema> = z.output<S>;

// ---- events in and out of plugins ------------------------------------------------------------------------

/** The base every plugin context has. */
export interface PluginContext {
  /** `@id`, or a generated `object:<hex>` as Fluentd does. */
  readonly id: string;
  readonly type: string;
  readonly log: Logger;
  readonly system: SystemSettings;
  readonly location: SourceLocation;
  /** Build a parser from a `<parse>` section (or none), with the plugin's defaults (incl. '@type') underneath. */
  createParser(section: ConfigElement | undefined, defaults?: Record<string, string>): Promise<Parser>;
  /** Build a formatter from a `<format>` section (or none), with defaults (incl. '@type') underneath. */
  createFormatter(section: ConfigElement | undefined, defaults?: Record<string, string>): Promise<Formatter>;
}

/** What inputs (and outputs that re-emit, like relabel) use to hand events to the router. */
export interface EmittingContext extends PluginContext {
  /**
   * Routes a batch. Resolves once every output it reaches has accepted it (a file buffer: written to disk), so an
   * input may then advance its position. Rejects with BufferOverflowError when a buffer is full and its
   * overflow_action is throw_exception: the input keeps the data and tries again later. With overflow_action block
   * the promise simply resolves later. An input must not emit the same data twice after a resolved emit.
   */
  emit(tag: string, batch: EventBatch): Promise<void>;
  /** Sends a rejected record to the @ERROR label (or logs it with its content when no such label exists). */
  emitError(tag: string, sec: number, nsec: number, record: EventRecord, error: Error): void;
}

export interface InputContext extends EmittingContext {
  /**
   * A read-only view of the running engine. Why: Fluentd's monitor_agent walks Engine.root_agent's plugin objects
   * directly; logferry plugins see only this API, so the engine hands out snapshots of what it runs instead.
   */
  readonly agent: AgentView;
}

/** What an input may read about the engine it runs in (see InputContext.agent). */
export interface AgentView {
  /**
   * The plugins the config declares with their live counters, in Fluentd's order: inputs, the top level's outputs,
   * its filters, then each label's outputs and filters. Nested outputs (copy's <store>, <secondary>) are not listed.
   */
  plugins(): PluginInfo[];
  /** The id of the output the first matching top-level <match> sends `tag` to (Fluentd's ?tag= lookup), or null. */
  outputIdForTag(tag: string): string | null;
  /** Fluentd's supervisor options, as far as the engine knows them. */
  options(): AgentOptions;
}

export interface AgentOptions {
  configPath: string;
  /** The -p directories, then the built-in plugins directory. */
  pluginDirs: string[];
  logLevel: string;
  rootDir: string | undefined;
  withoutSource: boolean;
}

export interface BufferMetrics {
  stagedChunks: number;
  queueLength: number;
  stageBytes: number;
  queueBytes: number;
  /** Steps of the current retry state (0 at the first failure, as Fluentd's retry_state); 0 when not retrying. */
  retryCount: number;
  nextRetryTime: number | null;
  /** Epoch seconds of the first failure of the current retry state; null when not retrying (Fluentd's retry.start). */
  retryStart: number | null;
  /** Timekeys of the chunks held (staged, queued, being written), oldest first; empty without a time chunk key. */
  timekeys: number[];
  totalLimitSize: number;
  emitRecords: number;
  writtenChunks: number;
  droppedChunks: number;
  /** Failed emits and failed writes since start (Fluentd's num_errors, monitor_agent's retry_count). */
  numErrors: number;
}

/** One running plugin as the engine reports it (monitor_agent). */
export interface PluginInfo {
  id: string;
  category: 'input' | 'output' | 'filter';
  /** The `@type` written in the config. */
  type: string;
  /** The section's attributes (not its sub-sections), secret values masked as `xxxxxx` as in config dumps. */
  config: Record<string, string>;
  /** Inputs: records emitted. Filters: records passed on. Outputs: records accepted. */
  emitRecords: number;
  /** Outputs: emit calls accepted (Fluentd's emit_count); absent for buffered outputs, which do not count them. */
  emitCount?: number;
  /** Unbuffered outputs: failed emits (Fluentd's num_errors of a non-buffered output). */
  numErrors?: number;
  /** Buffered outputs: the buffer's state and write counters. */
  buffer?: BufferMetrics;
}
export interface FilterContext extends EmittingContext {}

/** Resolved `<buffer>` settings an output may need (e.g. out_s3 derives time_slice_format from timekey). */
export interface BufferInfo {
  chunkKeys: string[];
  timekey: number | null;
  timekeyUseUtc: boolean;
  /** `+HHMM` (Fluentd's timekey_zone) */
  timekeyZone: string;
  flushThreadCount: number;
}

export interface OutputContext extends EmittingContext {
  /** Present when the output runs buffered. */
  readonly buffer: BufferInfo | undefined;
  /**
   * Present when the output runs as a <secondary> (Fluentd's acts_as_secondary): the primary's buffer settings. The
   * chunks it writes are the primary's, so their chunk keys decide which placeholders extractPlaceholders can fill.
   */
  readonly primaryBuffer?: BufferInfo;
  /** Fluentd's extract_placeholders: strftime of the chunk's timekey, ${tag}, ${tag[N]}, ${chunk_id}, ${key}. */
  extractPlaceholders(template: string, chunk: Chunk): string;
  /** Builds a nested output (copy's <store>, <secondary>) with its own buffer if it has one. */
  createOutput(section: ConfigElement): Promise<OutputHandle>;
  /** Routes a batch into a label (relabel). */
  emitToLabel(label: string, tag: string, batch: EventBatch): Promise<void>;
}

export interface InputPlugin {
  start(): Promise<void> | void;
  /** Stop producing, persist positions. Called before outputs flush. */
  shutdown(): Promise<void> | void;
}

export interface FilterPlugin {
  start?(): Promise<void> | void;
  shutdown?(): Promise<void> | void;
  /** Returns the events to pass on (the same batch, a new one, or null for none). Synchronous: filters are hot. */
  filter(tag: string, batch: EventBatch): EventBatch | null;
}

/** The identity of a buffer chunk: what lands together in one object/file. */
export interface ChunkMetadata {
  timekey: number | null;
  tag: string | null;
  variables: Record<string, string> | null;
}

/** A chunk handed to an output's `write`. */
export interface Chunk {
  /** 16 bytes, Fluentd's unique_id layout. */
  readonly uniqueId: Buffer;
  /** The same as 32 lowercase hex digits (`${chunk_id}`). */
  readonly chunkId: string;
  readonly metadata: ChunkMetadata;
  readonly bytesize: number;
  readonly recordCount: number;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** The body exactly as the output's `format` produced it (decompressed if the buffer compresses). */
  read(): Promise<Buffer>;
  /** The same bytes as a stream, without holding the chunk twice in memory. */
  open(): Readable;
  /**
   * Small values an output keeps with the chunk across retries and restarts (out_s3 keeps the key it chose, so a
   * retry never makes a second object). A file buffer persists them in the chunk's metadata.
   */
  getMemo(key: string): string | undefined;
  setMemo(key: string, value: string): Promise<void>;
}

export interface OutputPlugin {
  start?(): Promise<void> | void;
  shutdown?(): Promise<void> | void;
  /** Unbuffered delivery (Fluentd's `process`). Used when the output runs without a buffer. */
  process?(tag: string, batch: EventBatch): Promise<void> | void;
  /** Serializes one event into chunk bytes (Fluentd's `format`). Without it chunks hold msgpack [time, record]. */
  format?(tag: string, sec: number, nsec: number, record: EventRecord): string | Buffer;
  /** Buffered delivery of one chunk. Throw to retry; throw UnrecoverableError to go to <secondary>/backup. */
  write?(chunk: Chunk): Promise<void>;
}

/** A running output as the router (or copy) sees it: buffered or not, it accepts batches. */
export interface OutputHandle {
  readonly id: string;
  emit(tag: string, batch: EventBatch): Promise<void>;
  start(): Promise<void>;
  /** SIGUSR1: enqueue and flush everything now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

// ---- parsers and formatters ------------------------------------------------------------------------------

export interface Parser {
  /**
   * Parses one line (in_tail, in_exec) or one text. Adds zero or more events to `out` (json arrays add several).
   * Returns false when the text does not match the format (nothing added). Throws ParserError when it matches but
   * is invalid (e.g. an unparsable time). An event whose time is absent and not estimated has `sec` NaN.
   */
  parse(text: string, out: EventBatch): boolean;
  /** Multiline parsers (Fluentd's has_firstline?/firstline?): in_tail groups lines before calling parse. */
  readonly multiline?: boolean;
  firstline?(line: string): boolean;
}

export interface Formatter {
  format(tag: string, sec: number, nsec: number, record: EventRecord): string | Buffer;
}

// ---- definitions ---------------------------------------------------------------------------------------

export interface InputDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'input';
  create(ctx: InputContext, params: Params<S>, conf: ConfigElement): Promise<InputPlugin> | InputPlugin;
}

export interface FilterDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'filter';
  create(ctx: FilterContext, params: Params<S>, conf: ConfigElement): Promise<FilterPlugin> | FilterPlugin;
}

export interface OutputDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'output';
  /**
   * Fluentd's `config_section :buffer` defaults. When present the output runs buffered even without a <buffer>
   * section (e.g. out_s3: chunk keys ['time'], timekey 86400). Without it, a <buffer> section makes the output
   * buffered only if it implements `write`.
   */
  buffer?: { chunkKeys: string[]; defaults?: Record<string, string> };
  create(ctx: OutputContext, params: Params<S>, conf: ConfigElement): Promise<OutputPlugin> | OutputPlugin;
}

export interface ParserDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'parser';
  create(ctx: PluginContext, params: Params<S>, conf: ConfigElement): Promise<Parser> | Parser;
}

export interface FormatterDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'formatter';
  create(ctx: PluginContext, params: Params<S>, conf: ConfigElement): Promise<Formatter> | Formatter;
}

export interface BufferDefinition<S extends ParamsSchema = ParamsSchema> extends DefinitionBase<S> {
  kind: 'buffer';
  /** Returns the storage the buffer engine drives (see src/buffer/storage.ts). */
  create(ctx: PluginContext, params: Params<S>, conf: ConfigElement): Promise<unknown> | unknown;
}

export type PluginDefinition =
  | InputDefinition<any>
  | FilterDefinition<any>
  | OutputDefinition<any>
  | ParserDefinition<any>
  | FormatterDefinition<any>
  | BufferDefinition<any>;
