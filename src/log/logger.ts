import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../plugin-api/logger.ts';

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** `-o FILE`; stderr when absent (stdout belongs to out_stdout). */
  file?: string;
}

// Keys that may hold credentials; pino replaces their values wherever a plugin logs them.
const REDACT = ['aws_sec_key', 'aws_key_id', 'shared_key', 'password', 'sse_customer_key', 'secretAccessKey', '*.aws_sec_key', '*.shared_key', '*.password', '*.secretAccessKey'];

/** The agent's own log, through pino: Fluentd's text layout by default, or JSON lines (`<system><log> format json`). */
export function createLogger(options: LoggerOptions): Logger & { flush?: () => void } {
  const sink = options.file ? createWriteStream(options.file, { flags: 'a' }) : process.stderr;
  const destination = options.format === 'json' ? sink : new FluentdTextStream(sink);
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: REDACT, censor: 'xxxxxx' },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  ) as unknown as Logger;
}

/** Rewrites pino's JSON lines as `2024-05-01 12:34:56 +0000 [warn]: [id] message key=value`. */
class FluentdTextStream extends Writable {
  constructor(private readonly sink: NodeJS.WritableStream) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let out = '';
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line) out += formatTextLine(JSON.parse(line) as Record<string, unknown>);
    }
    this.sink.write(out, done);
  }
}

function formatTextLine(entry: Record<string, unknown>): string {
  const { time, level, msg, plugin_id: id, err, ...rest } = entry;
  let line = `${formatTime(Number(time))} [${String(level)}]: ${id ? `[${String(id)}] ` : ''}${msg ?? ''}`;
  for (const [key, value] of Object.entries(rest)) {
    line += ` ${key}=${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`;
  }
  if (err && typeof err === 'object') {
    const e = err as { type?: string; message?: string };
    line += ` error_class=${e.type ?? 'Error'} error=${JSON.stringify(e.message ?? '')}`;
  }
  return `${line}\n`;
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const local = new Date(ms + offset * 60_000).toISOString();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${zone}`;
}
