import type { ConfigElement } from '../config/element.ts';
import { newElement } from '../config/element.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { OutputDefinition } from '../plugin-api/types.ts';

// compat_parameters.rb: v0.12 top-level names and the <buffer> parameter each becomes.
const BUFFER_PARAMS: Record<string, string> = {
  buffer_type: '@type',
  buffer_path: 'path',
  num_threads: 'flush_thread_count',
  flush_interval: 'flush_interval',
  try_flush_interval: 'flush_thread_interval',
  queued_chunk_flush_interval: 'flush_thread_burst_interval',
  disable_retry_limit: 'retry_forever',
  retry_limit: 'retry_max_times',
  max_retry_wait: 'retry_max_interval',
  buffer_chunk_limit: 'chunk_limit_size',
  buffer_queue_limit: 'queue_limit_length',
  buffer_queue_full_action: 'overflow_action',
  flush_at_shutdown: 'flush_at_shutdown',
  retry_wait: 'retry_wait',
  time_slice_wait: 'timekey_wait',
  timezone: 'timekey_zone',
  utc: 'timekey_use_utc',
};
const TIME_UNITS: Array<[RegExp, number]> = [[/%[SsT]/, 1], [/%[MR]/, 60], [/%[HkIl]/, 3600], [/%[dejF]/, 86400]];

/**
 * Fluentd's compat_parameters for buffered outputs: v0.12 top-level buffer parameters move into a new <buffer>
 * (only when there is none). A top-level flush_interval forces flush_mode interval; time_slice_format sets the time
 * chunk key and a timekey from its smallest unit. A parameter the plugin itself also declares (out_s3's
 * time_slice_format, utc) is copied, not moved.
 */
export function applyCompatParams(conf: ConfigElement, definition: OutputDefinition, log: Logger): void {
  if (conf.elements.some((e) => e.name === 'buffer')) return;
  const own = definition.params.shape as Record<string, unknown>;
  const present = Object.keys(conf.attrs).filter((k) => k in BUFFER_PARAMS || k === 'time_slice_format' || k === 'localtime');
  if (present.length === 0) return;
  const buffer = newElement('buffer', '', conf.attrLocations[present[0]!] ?? conf.location);
  const chunkKeys = new Set(definition.buffer?.chunkKeys ?? []);
  const take = (key: string, target: string): string => {
    const value = conf.attrs[key]!;
    const where = conf.attrLocations[key];
    if (where) buffer.attrLocations[target] = where;
    if (!(key in own)) {
      delete conf.attrs[key];
      delete conf.attrLocations[key];
    }
    return value;
  };
  for (const key of present) {
    if (key === 'time_slice_format') {
      const format = take(key, 'timekey');
      const unit = TIME_UNITS.find(([re]) => re.test(format))?.[1] ?? 86400;
      buffer.attrs.timekey = String(unit);
      chunkKeys.add('time');
    } else if (key === 'localtime') {
      buffer.attrs.timekey_use_utc = take(key, 'timekey_use_utc') === 'false' ? 'true' : 'false';
    } else {
      const target = BUFFER_PARAMS[key]!;
      buffer.attrs[target] = take(key, target);
      if (key === 'flush_interval') buffer.attrs.flush_mode = 'interval';
    }
  }
  buffer.arg = [...chunkKeys].join(',') || '[]';
  conf.elements.push(buffer);
  log.info({ params: present }, 'v0.12 buffer parameters converted into <buffer>, as Fluentd\'s compat layer does');
}
