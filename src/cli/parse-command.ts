import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ConfigElement } from '../config/element.ts';
import { parseConfigFile } from '../config/parser.ts';
import { convertLegacyParse } from '../engine/compat-sections.ts';
import { buildParser, sectionFromParams } from '../engine/standalone.ts';
import { EventBatch } from '../event/event-batch.ts';
import { eventTimeToRfc3339 } from '../event/event-time.ts';
import { rubyJsonGenerate } from '../formatter/ruby-json.ts';
import { createLogger } from '../log/logger.ts';
import type { Parser } from '../plugin-api/types.ts';

const USAGE = 'usage: logferry parse --type TYPE [--param key=value ...] [-p DIR] < lines\n' +
  '       logferry parse -c FILE [--source ID] [-p DIR] < lines\n' +
  '  prints per input line {"time":"<RFC 3339 UTC>","record":{...}} or {"error":"...","line":N,"raw":"..."}\n';

interface ParseIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

class UsageError extends Error {}

/**
 * `logferry parse`: runs a <parse> section over stdin so it can be checked before deploying. Every input line gives
 * output: its events, or an error with the line number and the raw text. Multiline parsers group lines as in_tail
 * does and print one line per event. Binary parsers (msgpack) read the whole input as one piece of data.
 * Exit code: 0 when everything parsed, 1 when some line did not, 2 for usage or config errors.
 */
export async function runParseCommand(args: string[], io: ParseIo): Promise<number> {
  let parser: Parser;
  let type: string;
  try {
    const section = sectionFromArgs(args, io);
    if (section === null) return 0;
    type = section.attrs['@type'] ?? '';
    const log = createLogger({ level: 'warn', format: 'text' });
    parser = await buildParser(section, { pluginDirs: pluginDirsOf(args), log });
  } catch (err) {
    io.stderr.write(`logferry parse: ${(err as Error).message}\n${err instanceof UsageError ? USAGE : ''}`);
    return 2;
  }
  const printer = new EventPrinter(io.stdout);
  if (type === 'msgpack') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    printer.parse(parser, Buffer.concat(chunks).toString('latin1'), 1);
  } else {
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
    const feed = parser.multiline ? new MultilineGrouper(parser, printer) : null;
    let n = 0;
    for await (const line of lines) {
      n++;
      if (feed) feed.line(line, n);
      else printer.parse(parser, line, n);
    }
    feed?.flush();
  }
  await new Promise<void>((resolve) => io.stdout.write('', () => resolve()));
  return printer.failures > 0 ? 1 : 0;
}

function sectionFromArgs(args: string[], io: ParseIo): ConfigElement | null {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return null;
  }
  if (values.config !== undefined) {
    if (values.type !== undefined || values.param !== undefined) throw new UsageError('use either -c FILE or --type, not both');
    return sectionFromConfig(values.config, values.source);
  }
  if (values.source !== undefined) throw new UsageError('--source needs -c FILE');
  if (values.type === undefined) throw new UsageError('--type or -c is required');
  const params: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes key=value (given "${pair}")`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return sectionFromParams('parse', values.type, params);
}

const OPTIONS = {
  type: { type: 'string', short: 't' },
  param: { type: 'string', multiple: true },
  config: { type: 'string', short: 'c' },
  source: { type: 'string' },
  plugin: { type: 'string', short: 'p', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function pluginDirsOf(args: string[]): string[] {
  const { values } = parseArgs({ args, options: OPTIONS });
  return values.plugin ?? [];
}

/** The <parse> of a <source>: the one with `@id ID`, or the only source that parses. */
function sectionFromConfig(file: string, id: string | undefined): ConfigElement {
  const sources = parseConfigFile(file).elements.filter((e) => e.name === 'source');
  for (const source of sources) convertLegacyParse(source);
  const parsing = sources.filter((s) => s.elements.some((e) => e.name === 'parse'));
  let source: ConfigElement | undefined;
  if (id !== undefined) {
    source = sources.find((s) => s.attrs['@id'] === id);
    if (!source) throw new UsageError(`${file}: no <source> with @id ${id}`);
  } else if (parsing.length === 1) {
    source = parsing[0];
  } else {
    const ids = parsing.map((s) => s.attrs['@id'] ?? `(no @id, line ${s.location.line})`);
    throw new UsageError(parsing.length === 0
      ? `${file}: no <source> has a <parse> section`
      : `${file}: several sources parse (${ids.join(', ')}); choose one with --source ID`);
  }
  const section = source!.elements.find((e) => e.name === 'parse');
  if (!section) throw new UsageError(`${file}:${source!.location.line}: this <source> has no <parse> section`);
  return section;
}

/** Parses texts and prints each event or error as one JSON line. */
class EventPrinter {
  failures = 0;
  private readonly batch = new EventBatch();

  constructor(private readonly out: NodeJS.WritableStream) {}

  parse(parser: Parser, text: string, line: number): void {
    const batch = this.batch;
    batch.secs.length = 0;
    batch.nsecs.length = 0;
    batch.records.length = 0;
    let error: string | null = null;
    try {
      if (!parser.parse(text, batch)) error = 'pattern not matched';
    } catch (err) {
      error = (err as Error).message;
    }
    for (let i = 0; i < batch.length; i++) {
      const sec = batch.secs[i]!;
      const time = Number.isNaN(sec) ? 'null' : JSON.stringify(eventTimeToRfc3339(sec, batch.nsecs[i]!));
      this.out.write(`{"time":${time},"record":${rubyJsonGenerate(batch.records[i]!)}}\n`);
    }
    if (error !== null) this.error(error, line, text);
  }

  error(why: string, line: number, raw: string): void {
    this.failures++;
    this.out.write(`${JSON.stringify({ error: why, line, raw })}\n`);
  }
}

/**
 * in_tail's grouping of lines for a multiline parser: with format_firstline a first line closes the previous
 * event; without it the lines so far are tried after each line. Lines before the first first-line are reported.
 */
class MultilineGrouper {
  private buffer: string | null = null;
  private startLine = 0;
  private readonly probe = new EventBatch();

  constructor(private readonly parser: Parser, private readonly printer: EventPrinter) {}

  line(text: string, n: number): void {
    const parser = this.parser;
    if (parser.firstline) {
      if (parser.firstline(text)) {
        this.flush();
        this.buffer = text;
        this.startLine = n;
      } else if (this.buffer === null) {
        this.printer.error('got incomplete line before first line', n, text);
      } else {
        this.buffer += `\n${text}`;
      }
      return;
    }
    if (this.buffer === null) {
      this.buffer = '';
      this.startLine = n;
    }
    this.buffer += `${text}\n`;
    if (this.matches(this.buffer)) this.flush();
  }

  flush(): void {
    if (this.buffer === null) return;
    const text = this.buffer.endsWith('\n') ? this.buffer.slice(0, -1) : this.buffer;
    this.buffer = null;
    this.printer.parse(this.parser, text, this.startLine);
  }

  private matches(text: string): boolean {
    const probe = this.probe;
    probe.secs.length = 0;
    probe.nsecs.length = 0;
    probe.records.length = 0;
    try {
      return this.parser.parse(text, probe) && probe.length > 0 && !Number.isNaN(probe.secs[0]!);
    } catch {
      return false;
    }
  }
}
