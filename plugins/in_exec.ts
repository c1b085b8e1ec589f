import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ConfigElement, InputContext } from '../src/plugin-api/index.ts';
import { ConfigError, defineInput, p, z } from '../src/plugin-api/index.ts';
import { createExtractor } from '../src/plugin-helpers/extract.ts';
import { ChangeDetector } from '../src/exec/change-detector.ts';
import { ExecSource } from '../src/exec/exec-source.ts';
import { convertLegacyExecParams } from '../src/exec/legacy-params.ts';
import { checkEncoding, type ReadMode } from '../src/exec/output-reader.ts';
import { SnapshotStore } from '../src/exec/snapshot-store.ts';

const SNAPSHOT_FILE = 'exec_diff_snapshot.json';

/**
 * Fluentd's in_exec: runs a command once at start or every run_interval and parses its stdout (tsv by default).
 * Beyond Fluentd: runs never overlap, a timeout kills the whole process group, stderr and non-zero exits are
 * logged, and check_diff turns a periodic snapshot (e.g. listening sockets) into change records.
 */
export default defineInput({
  type: 'exec',
  description: 'Runs a command (once or every run_interval) and parses its output; check_diff reports what changed.',
  helpers: ['parse', 'extract'],
  params: z.object({
    command: p.string().describe('The command, run through /bin/sh -c (pipes and quoting work) in its own process group.'),
    connect_mode: p.enum(['read', 'read_with_stderr']).default('read')
      .describe('read: parse stdout, log stderr as warnings; read_with_stderr: parse stderr with stdout.'),
    tag: p.string().optional().describe('Tag of the events; required unless <extract> tag_key is set.'),
    run_interval: p.time().optional()
      .describe('Run every interval, the first run one interval after start (as Fluentd); unset: run once at start.'),
    command_timeout: p.time().optional()
      .describe('Kill the command\'s process group (SIGKILL) after this long; default run_interval, none when that is unset.'),
    read_block_size: p.size().default(10240).describe('Bytes handed to the msgpack parser at a time.'),
    encoding: p.string().optional().describe('Encoding of the output (Ruby name, e.g. Shift_JIS); default UTF-8, invalid bytes become U+FFFD.'),
    check_diff: p.bool().default(false).describe(
      'Change detection: the first run emits its records as the baseline; a later run emits nothing when its records '
      + 'equal the last ones (in any order), else its records and one change record on diff_tag. Needs a fixed tag.'),
    diff_keys: p.array('string').optional()
      .describe('Fields that identify a record for check_diff (e.g. protocol,local_address,process); default all fields.'),
    diff_tag: p.string().optional()
      .describe('Tag of change records {added, removed, previous_count, current_count}; default <tag>.changes.'),
    diff_state_path: p.string().optional().describe(
      'File keeping the last snapshot across restarts (written atomically); default <root_dir>/worker<N>/<@id>/'
      + `${SNAPSHOT_FILE} (exec-<hash of tag and command> without @id); in memory only without root_dir.`),
  }),
  prepare(conf) {
    convertLegacyExecParams(conf);
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param?: string) =>
      new ConfigError(message, { location: (param && conf.attrLocations[param]) || conf.location, section: conf.name, param });
    const extractConf = withStringTimeType(conf.elements.find((e) => e.name === 'extract'));
    const extractor = createExtractor(extractConf, ctx);
    const tagKey = extractConf?.attrs.tag_key;
    if (params.tag === undefined && tagKey === undefined) throw fail("'tag' or 'tag_key' option is required on exec input");
    if (params.encoding !== undefined) {
      try {
        checkEncoding(params.encoding);
      } catch (err) {
        throw fail((err as Error).message, 'encoding');
      }
    }
    for (const name of ['run_interval', 'command_timeout'] as const) {
      const value = params[name];
      if (value !== undefined && !(value > 0)) throw fail(`${name} must be greater than 0 (given ${value})`, name);
    }
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    const parser = await ctx.createParser(withNilTimeKey(parseConf, ctx), {
      '@type': 'tsv',
      time_type: parseConf && 'time_format' in parseConf.attrs ? 'string' : 'float',
      estimate_current_event: 'false',
    });
    const timeout = params.command_timeout ?? params.run_interval;
    return new ExecSource(ctx, {
      command: params.command,
      mergeStderr: params.connect_mode === 'read_with_stderr',
      intervalMs: params.run_interval === undefined ? undefined : params.run_interval * 1000,
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      readMode: readModeOf(parseConf?.attrs['@type'] ?? 'tsv'),
      encoding: params.encoding,
      readBlockSize: params.read_block_size,
      parser,
      extractor,
      tag: params.tag,
      changes: params.check_diff ? changeDetection(ctx, params, conf, tagKey, fail) : undefined,
    });
  },
});

function readModeOf(parserType: string): ReadMode {
  if (parserType === 'json') return 'json';
  if (parserType === 'msgpack') return 'binary';
  return 'lines';
}

// in_exec's <parse> has `config_set_default :time_key, nil`: even parsers with a default time_key (json's "time")
// read no time field unless one is configured.
function withNilTimeKey(section: ConfigElement | undefined, ctx: InputContext): ConfigElement {
  const base: ConfigElement = section ?? {
    name: 'parse', arg: '', attrs: {}, elements: [], location: ctx.location, attrLocations: {}, nils: new Set(),
  };
  if ('time_key' in base.attrs) return base;
  return { ...base, nils: new Set([...base.nils, 'time_key']) };
}

// Fluentd's in_exec#configure: `subsection['time_type'] ||= 'string'` when time_format is given.
function withStringTimeType(section: ConfigElement | undefined): ConfigElement | undefined {
  if (!section || !('time_format' in section.attrs) || 'time_type' in section.attrs) return section;
  return { ...section, attrs: { ...section.attrs, time_type: 'string' } };
}

interface DiffParams {
  command: string;
  tag?: string | undefined;
  diff_keys?: string[] | undefined;
  diff_tag?: string | undefined;
  diff_state_path?: string | undefined;
}

function changeDetection(
  ctx: InputContext,
  params: DiffParams,
  conf: ConfigElement,
  tagKey: string | undefined,
  fail: (message: string, param?: string) => ConfigError,
): { detector: ChangeDetector; tag: string } {
  if (params.tag === undefined || tagKey !== undefined) {
    throw fail('check_diff needs a fixed tag (and no <extract> tag_key): one snapshot is compared per source', 'check_diff');
  }
  if (params.diff_keys !== undefined && params.diff_keys.length === 0) throw fail('diff_keys must name at least one field', 'diff_keys');
  const file = params.diff_state_path ?? defaultSnapshotPath(ctx, params.command, params.tag, conf.attrs['@id']);
  if (file === undefined) {
    ctx.log.warn({}, 'check_diff keeps its snapshot in memory only (set <system> root_dir or diff_state_path): '
      + 'after a restart the first run is a new baseline, and a change made while stopped is not reported');
  }
  const store = file === undefined
    ? undefined
    : new SnapshotStore(file, { file: ctx.system.filePermission, dir: ctx.system.dirPermission });
  return {
    detector: new ChangeDetector({ command: params.command, keys: params.diff_keys, store, log: ctx.log }),
    tag: params.diff_tag ?? `${params.tag}.changes`,
  };
}

// Fluentd's plugin_root_dir layout; a source without @id gets a name that survives restarts (not a random id).
function defaultSnapshotPath(ctx: InputContext, command: string, tag: string, id: string | undefined): string | undefined {
  const root = ctx.system.rootDir;
  if (root === undefined) return undefined;
  const dir = id ?? `exec-${createHash('sha256').update(`${tag}\0${command}`).digest('hex').slice(0, 16)}`;
  return path.join(root, `worker${ctx.system.workerId}`, dir, SNAPSHOT_FILE);
}
