import { ConfigErrors, Engine } from '../engine/engine.ts';
import { dumpConfig } from '../config/dump.ts';
import { parseConfigFile, parseConfigString } from '../config/parser.ts';
import type { ConfigElement } from '../config/element.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log/logger.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { SystemConfig } from '../engine/system-config.ts';

export interface RunOptions {
  config: string;
  inlineConfig?: string;
  pluginDirs: string[];
  verbosity: number; // -v +1, -q -1
  logFile?: string;
  dryRun: boolean;
  withoutSource: boolean;
  suppressConfigDump: boolean;
}

/** Reads the config file plus any `-i` inline config (appended, as Fluentd does). */
export function loadConfig(options: Pick<RunOptions, 'config' | 'inlineConfig'>): ConfigElement {
  const root = parseConfigFile(options.config);
  if (options.inlineConfig) {
    const inline = parseConfigString(options.inlineConfig, '(inline config)');
    root.elements.push(...inline.elements);
    Object.assign(root.attrs, inline.attrs);
  }
  return root;
}

function logLevel(system: SystemConfig, verbosity: number): LogLevel {
  if (verbosity === 0) return system.logLevel as LogLevel;
  // Fluentd: -v debug, -vv trace, -q warn, -qq error, counted from info.
  const index = LOG_LEVELS.indexOf('info') - verbosity;
  return LOG_LEVELS[Math.max(0, Math.min(LOG_LEVELS.length - 1, index))]!;
}

async function buildEngine(options: RunOptions, makeLog: (system: SystemConfig) => Logger): Promise<Engine> {
  return Engine.build(loadConfig(options), {
    pluginDirs: options.pluginDirs,
    log: makeLog,
    withoutSource: options.withoutSource,
  });
}

function reportConfigErrors(err: unknown, stderr: NodeJS.WritableStream): void {
  const errors = err instanceof ConfigErrors ? err.errors : [err as Error];
  for (const e of errors) stderr.write(`config error: ${e.message}\n`);
}

/** `logferry -c FILE`: runs until SIGTERM/SIGINT; SIGUSR1 flushes; SIGHUP/SIGUSR2 reload the config. */
export async function runAgent(options: RunOptions): Promise<number> {
  let log: Logger | undefined;
  const makeLog = (system: SystemConfig): Logger => {
    log ??= createLogger({ level: logLevel(system, options.verbosity), format: system.logFormat, file: options.logFile, timeFormat: system.logTimeFormat, suppressRepeatedStacktrace: system.suppressRepeatedStacktrace });
    if (system.processName !== undefined) process.title = system.processName;
    return log;
  };
  let engine: Engine;
  try {
    engine = await buildEngine(options, makeLog);
  } catch (err) {
    reportConfigErrors(err, process.stderr);
    return 1;
  }
  if (options.dryRun) {
    process.stderr.write(`${options.config}: configuration is valid\n`);
    return 0;
  }
  const agentLog = log!;
  if (!options.suppressConfigDump && !engine.system.suppressConfigDump) {
    agentLog.info({}, `using configuration file: ${options.config}\n${dumpConfig(engine.root)}`);
  }
  await engine.start();
  agentLog.info({ pid: process.pid }, 'logferry started');

  return new Promise<number>((resolve) => {
    let stopping = false;
    let reloading: Promise<void> = Promise.resolve();
    const stop = (signal: string) => {
      if (stopping) {
        agentLog.warn({ signal }, 'second signal: exiting without waiting for the flush');
        resolve(1);
        return;
      }
      stopping = true;
      agentLog.info({ signal }, 'shutting down');
      reloading
        .then(() => engine.shutdown())
        .then(() => {
          agentLog.info({}, 'logferry stopped');
          resolve(0);
        })
        .catch((err: Error) => {
          agentLog.error({ err }, 'shutdown failed');
          resolve(1);
        });
    };
    const reload = (signal: string) => {
      reloading = reloading.then(async () => {
        agentLog.info({ signal }, 'reloading configuration');
        let next: Engine;
        try {
          next = await buildEngine(options, () => agentLog);
        } catch (err) {
          const errors = err instanceof ConfigErrors ? err.errors : [err as Error];
          for (const e of errors) agentLog.error({}, `new configuration is invalid, keeping the running one: ${e.message}`);
          return;
        }
        await engine.shutdown();
        engine = next;
        await engine.start();
        agentLog.info({}, 'configuration reloaded');
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => reload('SIGHUP'));
    process.on('SIGUSR2', () => reload('SIGUSR2'));
    process.on('SIGUSR1', () => {
      agentLog.info({ signal: 'SIGUSR1' }, 'flushing all buffers');
      engine.flushAll().catch((err: Error) => agentLog.error({ err }, 'flush failed'));
    });
  });
}

/** `logferry config -c FILE [--json]`: the effective configuration after includes and interpolation. */
export function runConfigCommand(options: Pick<RunOptions, 'config' | 'inlineConfig'>, json: boolean, stdout: NodeJS.WritableStream): number {
  stdout.write(dumpConfig(loadConfig(options), { json }));
  stdout.write('\n');
  return 0;
}

/** `logferry route -c FILE TAG`: the filters and the match an event with TAG reaches. */
export async function runRouteCommand(options: RunOptions, tag: string, label: string | undefined, stdout: NodeJS.WritableStream): Promise<number> {
  let engine: Engine;
  try {
    engine = await buildEngine({ ...options, withoutSource: true }, (system) =>
      createLogger({ level: 'error', format: system.logFormat }),
    );
  } catch (err) {
    reportConfigErrors(err, process.stderr);
    return 1;
  }
  stdout.write(`${JSON.stringify(engine.route(tag, label))}\n`);
  return 0;
}
