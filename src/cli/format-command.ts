import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createFormatterFromParams } from '../formatter/build.ts';
import { createLogger } from '../log/logger.ts';
import { nowEventTime } from '../event/event-time.ts';

const USAGE = 'usage: logferry format --type TYPE [--param key=value ...] [-p DIR] < events.jsonl\n' +
  '  each input line: {"tag":"...","time":<epoch seconds, float, or RFC 3339 text>,"record":{...}}\n';

/**
 * `logferry format`: reads `{"tag","time","record"}` JSON lines from stdin and writes exactly the bytes the formatter
 * produces, so a <format> section can be checked before deploying. A bad input line is reported on stderr with its
 * number and skipped; the exit code is then 1.
 */
export async function runFormatCommand(
  args: string[],
  io: { stdin: Readable; stdout: Writable; stderr: Writable },
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        type: { type: 'string', short: 't' },
        param: { type: 'string', multiple: true },
        plugin: { type: 'string', short: 'p', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.stderr.write(`logferry format: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (!values.type) {
    io.stderr.write(`logferry format: --type is required\n${USAGE}`);
    return 2;
  }
  const params: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      io.stderr.write(`logferry format: --param takes key=value (given "${pair}")\n`);
      return 2;
    }
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const log = createLogger({ level: 'warn', format: 'text' });
  let formatter;
  try {
    formatter = await createFormatterFromParams(values.type, params, { log, pluginDirs: values.plugin ?? [] });
  } catch (err) {
    io.stderr.write(`logferry format: ${(err as Error).message}\n`);
    return 2;
  }
  let failed = false;
  let lineNo = 0;
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    lineNo++;
    if (line.trim() === '') continue;
    try {
      const { tag, sec, nsec, record } = parseEventLine(line);
      const out = formatter.format(tag, sec, nsec, record);
      if (!io.stdout.write(out)) await new Promise((resolve) => io.stdout.once('drain', resolve));
    } catch (err) {
      failed = true;
      io.stderr.write(`logferry format: line ${lineNo}: ${(err as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

interface InputEvent {
  tag: string;
  sec: number;
  nsec: number;
  record: Record<string, unknown>;
}

function parseEventLine(line: string): InputEvent {
  const value: unknown = JSON.parse(line);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
  const { tag = '', time, record } = value as { tag?: unknown; time?: unknown; record?: unknown };
  if (typeof tag !== 'string') throw new Error('"tag" must be a string');
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('"record" must be a JSON object');
  const t = time === undefined ? nowEventTime() : eventTimeOf(time);
  return { tag, sec: t.sec, nsec: t.nsec, record: record as Record<string, unknown> };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** Epoch seconds (integer or float, split at the dot as Fluentd's float time parser does) or RFC 3339 text. */
function eventTimeOf(time: unknown): { sec: number; nsec: number } {
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) throw new Error('"time" must be a finite number');
    const [whole, frac = ''] = String(time).includes('e') ? time.toFixed(9).split('.') : String(time).split('.');
    const sec = Number(whole);
    const nsec = Number(frac.slice(0, 9).padEnd(9, '0'));
    return time < 0 && nsec > 0 ? { sec: sec - 1, nsec: 1e9 - nsec } : { sec, nsec };
  }
  if (typeof time !== 'string') throw new Error('"time" must be a number or an RFC 3339 string');
  const m = RFC3339.exec(time);
  if (!m) throw new Error(`"time" is not RFC 3339: ${time}`);
  const base = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  const offset = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (+m[10]! * 3600 + +m[11]! * 60);
  return { sec: base - offset, nsec: Number((m[7] ?? '').padEnd(9, '0')) };
}
