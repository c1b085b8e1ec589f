import type { ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import type { Logger } from '../plugin-api/logger.ts';
import { p } from '../plugin-api/params.ts';
import { readSection } from '../plugin-api/read-section.ts';
import type { BufferInfo, OutputDefinition, SystemSettings } from '../plugin-api/types.ts';
import { z } from 'zod';

/** Every `<buffer>` parameter of Fluentd's output.rb/buffer.rb, with Fluentd's defaults (memory/file differ where noted). */
export const bufferParams = z.object({
  '@type': p.string().default('memory').describe('Buffer plugin: memory or file.'),
  timekey: p.time().optional().describe('Seconds per time chunk; required with the time chunk key.'),
  timekey_wait: p.time().default(600).describe('Seconds to wait after a timekey ends before flushing (lazy mode).'),
  timekey_use_utc: p.bool().default(false).describe('Compute timekeys and time placeholders in UTC.'),
  timekey_zone: p.string().optional().describe('Zone of timekeys, e.g. +0900 (default: local zone at start).'),
  flush_mode: p.enum(['default', 'lazy', 'interval', 'immediate']).default('default').describe('default = lazy with the time chunk key, else interval.'),
  flush_interval: p.time().default(60).describe('Seconds between flushes in interval mode.'),
  flush_at_shutdown: p.bool().optional().describe('Flush everything at shutdown (default: memory true, file false).'),
  flush_thread_count: p.integer().default(1).describe('Chunks written in parallel.'),
  flush_thread_interval: p.float().default(1).describe('Seconds between enqueue checks.'),
  flush_thread_burst_interval: p.float().default(1).describe('Seconds between writes when the queue is long.'),
  delayed_commit_timeout: p.time().default(60).describe('Accepted; logferry has no delayed commit.'),
  overflow_action: p.enum(['throw_exception', 'block', 'drop_oldest_chunk']).default('throw_exception').describe('What a full buffer does to the emitter.'),
  retry_forever: p.bool().default(false).describe('Never give up retrying.'),
  retry_timeout: p.time().default(72 * 3600).describe('Give up after this many seconds of failures.'),
  retry_max_times: p.integer().optional().describe('Give up after this many retries.'),
  retry_secondary_threshold: p.float().default(0.8).describe('Fraction of retry_timeout after which <secondary> takes over.'),
  retry_type: p.enum(['exponential_backoff', 'periodic']).default('exponential_backoff').describe('Retry wait growth.'),
  retry_wait: p.time().default(1).describe('Seconds before the first retry.'),
  retry_exponential_backoff_base: p.float().default(2).describe('Growth factor of retry waits.'),
  retry_max_interval: p.time().optional().describe('Cap of one retry wait.'),
  retry_randomize: p.bool().default(true).describe('Randomize waits by ±12.5%.'),
  disable_chunk_backup: p.bool().default(false).describe('Drop unrecoverable chunks instead of backing them up.'),
  chunk_limit_size: p.size().optional().describe('Max bytes of a chunk (memory 8m, file 256m).'),
  chunk_limit_records: p.integer().optional().describe('Max events in a chunk.'),
  total_limit_size: p.size().optional().describe('Max bytes of the whole buffer (memory 512m, file 64g).'),
  queue_limit_length: p.integer().optional().describe('Deprecated: total = chunk_limit_size × this.'),
  queued_chunks_limit_size: p.integer().optional().describe('Max queued chunks before enqueueing waits (default flush_thread_count).'),
  chunk_full_threshold: p.float().default(0.95).describe('A chunk this full is enqueued.'),
  compress: p.enum(['text', 'gzip']).default('text').describe('Store chunks gzipped.'),
  path: p.string().optional().describe('file buffer: directory or path pattern of chunk files.'),
  path_suffix: p.string().default('.log').describe('file buffer: suffix of chunk files.'),
});

export type BufferParams = z.output<typeof bufferParams>;

export interface BufferSettings extends BufferInfo {
  type: string;
  params: BufferParams;
  flushMode: 'lazy' | 'interval' | 'immediate';
  chunkLimitSize: number;
  totalLimitSize: number;
  flushAtShutdown: boolean;
  queuedChunksLimit: number;
  /** Record chunk keys (not tag/time), as given (`key` or `$.a.b`). */
  variableKeys: string[];
  /** Seconds east of UTC of the timekey zone. */
  timekeyOffset: number;
  conf: ConfigElement;
}

const DEFAULTS = {
  memory: { chunk: 8 * 1024 ** 2, total: 512 * 1024 ** 2, flushAtShutdown: true },
  file: { chunk: 256 * 1024 ** 2, total: 64 * 1024 ** 3, flushAtShutdown: false },
};

/** `+HHMM` of the local zone now, Fluentd's default timekey_zone. */
function localZone(): string {
  const offset = -new Date().getTimezoneOffset();
  const abs = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function zoneOffset(zone: string, conf: ConfigElement): number {
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) throw new ConfigError(`must be an offset like +0900 (given "${zone}")`, { location: conf.attrLocations.timekey_zone ?? conf.location, section: 'buffer', param: 'timekey_zone' });
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** undefined when the output runs unbuffered (no `buffer` on its definition and no <buffer> section). */
export function resolveBufferSettings(
  definition: OutputDefinition,
  conf: ConfigElement,
  ctx: { system: SystemSettings; log: Logger; id: string },
): BufferSettings | undefined {
  const section = conf.elements.find((e) => e.name === 'buffer');
  if (!section && !definition.buffer) return undefined;
  const fail = (message: string, param?: string) =>
    new ConfigError(message, { location: (param && section?.attrLocations[param]) || section?.location || conf.location, section: 'buffer', param });
  const bufferConf: ConfigElement = section ?? { name: 'buffer', arg: '', attrs: {}, elements: [], location: conf.location, attrLocations: {}, nils: new Set() };
  const params = readSection(bufferParams, bufferConf, { log: ctx.log, defaults: definition.buffer?.defaults });
  const chunkKeys = section && section.arg.trim() !== ''
    ? (section.arg.trim() === '[]' ? [] : section.arg.split(',').map((k) => k.trim()).filter(Boolean))
    : [...(definition.buffer?.chunkKeys ?? [])];
  for (const key of chunkKeys) {
    if (!/^[-_.@a-zA-Z0-9$[\]'"]+$/.test(key)) throw fail(`chunk key "${key}" has invalid characters`);
  }
  if (chunkKeys.includes('time') && params.timekey === undefined) throw fail("<buffer ...> argument includes 'time', but timekey is not configured", 'timekey');
  if (params.timekey !== undefined && params.timekey <= 0) throw fail('timekey must be greater than 0', 'timekey');
  let flushMode = params.flush_mode;
  if (flushMode === 'default') {
    flushMode = chunkKeys.includes('time') ? 'lazy' : 'interval';
    if (flushMode === 'lazy' && section && 'flush_interval' in section.attrs) {
      ctx.log.warn({}, "'flush_interval' is ignored because default 'flush_mode' is not 'interval': 'lazy'");
    }
  } else if (flushMode !== 'interval' && section && 'flush_interval' in section.attrs) {
    throw fail(`'flush_interval' can't be specified when 'flush_mode' is not 'interval' explicitly: '${flushMode}'`, 'flush_interval');
  }
  const type = params['@type'];
  const base = type === 'file' ? DEFAULTS.file : DEFAULTS.memory;
  const chunkLimitSize = params.chunk_limit_size ?? base.chunk;
  const totalLimitSize = params.queue_limit_length !== undefined ? chunkLimitSize * params.queue_limit_length : params.total_limit_size ?? base.total;
  const timekeyZone = params.timekey_use_utc ? '+0000' : params.timekey_zone ?? localZone();
  return {
    type,
    params,
    chunkKeys,
    timekey: chunkKeys.includes('time') ? params.timekey! : null,
    timekeyUseUtc: params.timekey_use_utc,
    timekeyZone,
    timekeyOffset: zoneOffset(timekeyZone, bufferConf),
    flushThreadCount: Math.max(1, params.flush_thread_count),
    flushMode: flushMode as BufferSettings['flushMode'],
    chunkLimitSize,
    totalLimitSize,
    flushAtShutdown: params.flush_at_shutdown ?? base.flushAtShutdown,
    queuedChunksLimit: params.queued_chunks_limit_size ?? Math.max(1, params.flush_thread_count),
    variableKeys: chunkKeys.filter((k) => k !== 'tag' && k !== 'time'),
    conf: bufferConf,
  };
}
