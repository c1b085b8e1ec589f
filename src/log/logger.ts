import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../plugin-api/logger.ts';
import { compileStrftime } from '../time/strftime.ts';
import { resolveZone } from '../time/zone.ts';

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** `-o FILE`; stderr when absent (stdout belongs to out_stdout). */
  file?: string;
  /** `<system><log> time_format`: strftime of the text layout's time, in the local zone as Fluentd's log. */
  timeFormat?: string;
  /** `<system> suppress_repeated_stacktrace`: a stack trace equal to the previous one is printed as one line. */
  suppressRepeatedStacktrace?: boolean;
}

const DEFAULT_TIME_FORMAT = '%Y-%m-%d %H:%M:%S %z';

// Keys that may hold credentials; pino replaces their values wherever a plugin logs them.
const REDACT = ['aws_sec_key', 'aws_key_id', 'shared_key', 'password', 'sse_customer_key', 'secretAccessKey', '*.aws_sec_key', '*.shared_key', '*.password', '*.secretAccessKey'];

/** The agent's own log, through pino: Fluentd's text layout by default, or JSON lines (`<system><log> format json`). */
export function createLogger(options: LoggerOptions): Logger & { flush?: () => void } {
  const sink = options.file ? createWriteStream(options.file, { flags: 'a' }) : process.stderr;
  const timeText = compileStrftime(options.timeFormat ?? DEFAULT_TIME_FORMAT, resolveZone('localtime'));
  const destination = options.format === 'json' ? sink : new FluentdTextStream(sink, timeText, options.suppressRepeatedStacktrace ?? true);
  // Stack traces are for developers: the operator's log (info, warn) gives the error's class and message only.
  const withStacks = options.level === 'trace' || options.level === 'debug';
  return pino(
    {
      level: options.level,
      base: undefined,
      serializers: {
        err: (err: Error) => {
          const serialized = pino.stdSerializers.err(err);
          if (!withStacks) delete (serialized as { stack?: string }).stack;
          return serialized;
        },
      },
      redact: { paths: REDACT, censor: 'xxxxxx' },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  ) as unknown as Logger;
}

/**
 * Rewrites pino's JSON lines as `2024-05-01 12:34:56 +0000 [warn]: [id] message key=value`, and an error's stack
 * frames after it as indented lines of the same level, as Fluentd's log prints backtraces.
 */
class FluentdTextStream extends Writable {
  private lastStack: string | undefined;

  constructor(
    private readonly sink: NodeJS.WritableStream,
    private readonly timeText: (sec: number, nsec: number) => string,
    private readonly suppressRepeatedStacktrace: boolean,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let out = '';
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line) out += this.formatTextLine(JSON.parse(line) as Record<string, unknown>);
    }
    this.sink.write(out, done);
  }

  private formatTextLine(entry: Record<string, unknown>): string {
    const { time, level, msg, plugin_id: id, err, ...rest } = entry;
    const prefix = `${this.timeText(Math.floor(Number(time) / 1000), (Number(time) % 1000) * 1e6)} [${String(level)}]: `;
    let line = `${prefix}${id ? `[${String(id)}] ` : ''}${msg ?? ''}`;
    for (const [key, value] of Object.entries(rest)) {
      line += ` ${key}=${JSON.stringify(value)}`;
    }
    let frames = '';
    if (err && typeof err === 'object') {
      const e = err as { type?: string; message?: string; stack?: string };
      line += ` error_class=${e.type ?? 'Error'} error=${JSON.stringify(e.message ?? '')}`;
      frames = this.stackLines(prefix, e.stack);
    }
    return `${line}\n${frames}`;
  }

  private stackLines(prefix: string, stack: string | undefined): string {
    const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim());
    if (frames.length === 0) return '';
    const key = frames.join('\n');
    if (this.suppressRepeatedStacktrace && key === this.lastStack) return `  ${prefix}suppressed same stacktrace\n`;
    this.lastStack = key;
    return frames.map((f) => `  ${prefix}${f}\n`).join('');
  }
}
