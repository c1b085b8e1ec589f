import { newElement, type ConfigElement } from '../config/element.ts';
import { ConfigError } from '../config/errors.ts';
import { LOG_LEVELS } from '../log/logger.ts';
import { p } from '../plugin-api/params.ts';
import { readSection } from '../plugin-api/read-section.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { SystemSettings } from '../plugin-api/types.ts';
import { z } from 'zod';

/** `<system>` (Fluentd's system_config.rb): the parameters a drop-in must honour, with Fluentd's defaults. */
export const systemParams = z.object({
  workers: p.integer().default(1).describe('Worker processes. logferry runs one worker; more is refused.'),
  root_dir: p.string().optional().describe('Base directory of file buffers and state (with @id).'),
  log_level: p.enum(LOG_LEVELS).default('info').describe('Level of logferry\'s own log.'),
  suppress_repeated_stacktrace: p.bool().default(true).describe('An error\'s stack equal to the previous one is logged as "suppressed same stacktrace".'),
  emit_error_log_interval: p.time().optional().describe('Minimum seconds between "emit transaction failed" warnings (a full buffer refusing an input\'s events).'),
  suppress_config_dump: p.bool().default(false).describe('Do not log the configuration at start.'),
  strict_config_value: p.bool().default(false).describe('Accepted for compatibility: logferry is always strict.'),
  file_permission: p.string().default('0644').describe('Mode of files logferry creates (octal).'),
  dir_permission: p.string().default('0755').describe('Mode of directories logferry creates (octal).'),
  process_name: p.string().optional().describe('Process title (what ps shows).'),
  without_source: p.bool().default(false).describe('Start without inputs.'),
  rpc_endpoint: p.unsupported('no RPC endpoint; use signals (SIGUSR1 flush, SIGHUP reload)'),
  enable_input_metrics: p.bool().default(false).describe('Accepted: logferry keeps input metrics always.'),
  enable_size_metrics: p.bool().default(false).describe('Only false: event sizes (emit_size) are not counted, so true is refused.'),
  enable_msgpack_time_support: p.unsupported('not needed by logferry\'s plugins'),
  disable_shared_socket: p.bool().optional().describe('Accepted: logferry has no worker processes sharing sockets.'),
});

export const systemLogParams = z.object({
  format: p.enum(['text', 'json']).default('text').describe('Log line format.'),
  time_format: p.string().default('%Y-%m-%d %H:%M:%S %z').describe('Time format (strftime) of text log lines.'),
  rotate_age: p.unsupported('use logrotate on the -o file'),
  rotate_size: p.unsupported('use logrotate on the -o file'),
});

export interface SystemConfig extends SystemSettings {
  logFormat: 'text' | 'json';
  /** strftime of the text log's time. */
  logTimeFormat: string;
  processName: string | undefined;
  suppressRepeatedStacktrace: boolean;
  emitErrorLogInterval: number | undefined;
  suppressConfigDump: boolean;
  withoutSource: boolean;
}

export function readSystemConfig(root: ConfigElement, log?: Logger): SystemConfig {
  const elements = root.elements.filter((e) => e.name === 'system');
  const merged: ConfigElement = elements[0] ?? {
    name: 'system', arg: '', attrs: {}, elements: [], location: root.location, attrLocations: {}, nils: new Set(),
  };
  for (const extra of elements.slice(1)) {
    Object.assign(merged.attrs, extra.attrs);
    Object.assign(merged.attrLocations, extra.attrLocations);
  }
  const params = readSection(systemParams, merged, { log });
  if (params.workers !== 1) {
    throw new ConfigError(
      'logferry runs a single worker (it is already faster than several Fluentd workers); remove workers or set it to 1',
      { location: merged.attrLocations.workers ?? merged.location, section: 'system', param: 'workers' },
    );
  }
  if (params.enable_size_metrics) {
    throw new ConfigError('enable_size_metrics true is not supported by logferry: no plugin counts event sizes (emit_size); remove it', {
      location: merged.attrLocations.enable_size_metrics ?? merged.location, section: 'system', param: 'enable_size_metrics',
    });
  }
  const logSection = merged.elements.find((e) => e.name === 'log');
  const logParams = readSection(systemLogParams, logSection ?? newElement('log', '', merged.location), { log });
  return {
    rootDir: params.root_dir,
    workers: 1,
    workerId: 0,
    logLevel: params.log_level,
    filePermission: parseOctal(params.file_permission, merged, 'file_permission'),
    dirPermission: parseOctal(params.dir_permission, merged, 'dir_permission'),
    logFormat: logParams.format,
    logTimeFormat: logParams.time_format,
    processName: params.process_name,
    suppressRepeatedStacktrace: params.suppress_repeated_stacktrace,
    emitErrorLogInterval: params.emit_error_log_interval,
    suppressConfigDump: params.suppress_config_dump,
    withoutSource: params.without_source,
  };
}

function parseOctal(value: string, el: ConfigElement, param: string): number {
  if (!/^[0-7]{3,4}$/.test(value)) {
    throw new ConfigError(`must be an octal mode like 0644 (given "${value}")`, {
      location: el.attrLocations[param] ?? el.location, section: 'system', param,
    });
  }
  return parseInt(value, 8);
}
