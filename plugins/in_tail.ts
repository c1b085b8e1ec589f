import { ConfigError, defineInput, p, z, type InputContext, type Parser } from '../src/plugin-api/index.ts';
import { InodeWatchers } from '../src/tail/inode-watchers.ts';
import { PathWatchers } from '../src/tail/path-watchers.ts';
import { PositionFile } from '../src/tail/position-file.ts';
import type { Watchers } from '../src/tail/watchers.ts';

// Fluentd polls each file every second and listens to inotify. logferry polls every 250 ms (the source of truth,
// which also works where inotify does not: NFS, overlay) and watches each directory with fs.watch as a wake-up hint,
// so a file renamed away and recreated several times between two polls still has every generation opened.
const POLL_MS = 250;

const params = z.object({
  path: p.string().describe('File paths, separated by path_delimiter; * globs; strftime placeholders (required).'),
  path_delimiter: p.string().default(',').describe('Separator of path.'),
  path_timezone: p.string().optional().describe('Zone of the strftime placeholders in path.'),
  glob_policy: p.enum(['backward_compatible', 'extended', 'always']).default('backward_compatible').describe('Which characters make a path a glob.'),
  tag: p.string().describe('Tag of the events; * is replaced by the file path with / as . (required).'),
  exclude_path: p.array().default([]).describe('Globs of paths not to tail.'),
  pos_file: p.string().optional().describe('Where the read positions are kept (Fluentd format).'),
  pos_file_compaction_interval: p.time().optional().describe('Accepted: logferry rewrites the pos file compacted every time.'),
  refresh_interval: p.time().default(60).describe('Seconds between re-expansions of path.'),
  rotate_wait: p.time().default(5).describe('Seconds a rotated file is still read.'),
  read_from_head: p.bool().default(false).describe('Read files found at start from the head (else from the end).'),
  follow_inodes: p.bool().default(false).describe('Track files by inode (needs pos_file): a file renamed to a name path also matches resumes where it was, never read again; one pos line per inode. Not with open_on_every_update.'),
  path_key: p.string().optional().describe('Field that receives the file path.'),
  limit_recently_modified: p.time().optional().describe('Skip files not modified for this long.'),
  read_lines_limit: p.integer().default(1000).describe('Lines per emitted batch.'),
  read_bytes_limit_per_second: p.size().default(-1).describe('Bytes per second read from one file (-1: no limit; min 8k).'),
  max_line_size: p.size().optional().describe('Longer lines are skipped with a warning.'),
  multiline_flush_interval: p.time().optional().describe('Emit a pending multiline event after this long without new lines.'),
  skip_refresh_on_startup: p.bool().default(false).describe('Do not expand path at start (wait for refresh_interval).'),
  open_on_every_update: p.bool().default(false).describe('Reopen the file on each read (files replaced in place).'),
  emit_unmatched_lines: p.bool().default(false).describe('Emit lines that do not parse as {"unmatched_line": line}.'),
  encoding: p.string().optional().describe('Encoding of the records\' text: UTF-8 only (others are refused); needed with from_encoding.'),
  from_encoding: p.string().optional().describe('Encoding of the file bytes, converted to utf-8.'),
  enable_watch_timer: p.bool().default(true).describe('logferry always polls; false with read_bytes_limit_per_second, or with enable_stat_watcher false, is refused as in Fluentd.'),
  enable_stat_watcher: p.bool().default(true).describe('Accepted: logferry always polls.'),
  ignore_repeated_permission_error: p.bool().default(false).describe('Log an unreadable file once.'),
});

type Params = z.output<typeof params>;

/** Fluentd's in_tail on fs file handles: never loses or repeats a line across rotation, restart and full buffers. */
export default defineInput({
  type: 'tail',
  description: 'Follows files like tail -F, with Fluentd\'s pos_file, rotation handling and <parse>.',
  params,
  helpers: ['parse'],
  async create(ctx, params, conf) {
    const parseConf = conf.elements.find((e) => e.name === 'parse');
    if (!parseConf) throw new ConfigError('<parse> section is required.', { location: conf.location, section: 'source' });
    if (params.follow_inodes && !params.pos_file) {
      throw new ConfigError("Can't follow inodes without pos_file configuration parameter", {
        location: conf.attrLocations.follow_inodes ?? conf.location, section: 'source', param: 'follow_inodes',
      });
    }
    if (params.follow_inodes && params.open_on_every_update) {
      // A handle reopened by path on each read is not the inode being followed once the file is renamed.
      throw new ConfigError('follow_inodes true cannot be used with open_on_every_update true: files are followed by their open handle', {
        location: conf.attrLocations.follow_inodes ?? conf.location, section: 'source', param: 'follow_inodes',
      });
    }
    const fail = (param: string, message: string) => new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: 'source', param });
    if (!params.enable_watch_timer && !params.enable_stat_watcher) throw fail('enable_watch_timer', 'either of enable_watch_timer or enable_stat_watcher must be true');
    if (params.read_bytes_limit_per_second > 0 && !params.enable_watch_timer) {
      throw fail('enable_watch_timer', 'Need to enable watch timer when using log throttling feature');
    }
    if (params.encoding !== undefined && !/^utf-?8$/i.test(params.encoding)) {
      throw fail('encoding', `encoding ${params.encoding} is not supported: logferry's records hold UTF-8 text (use from_encoding to convert from another encoding)`);
    }
    if (params.from_encoding !== undefined) {
      if (params.encoding === undefined) throw fail('from_encoding', "tail: 'from_encoding' parameter must be specified with 'encoding' parameter.");
      try {
        new TextDecoder(params.from_encoding);
      } catch {
        throw fail('from_encoding', `unknown encoding name - ${params.from_encoding}`);
      }
      if (/^utf-?8$/i.test(params.from_encoding)) ctx.log.warn({}, "'encoding' and 'from_encoding' are same encoding. No effect");
    }
    const parser = await ctx.createParser(parseConf);
    return new TailInput(ctx, params, parser);
  },
});

class TailInput {
  private readonly pos: PositionFile | null;
  private readonly watchers: Watchers;
  private timer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private posTimer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: InputContext, private readonly p: Params, parser: Parser) {
    this.pos = p.pos_file ? new PositionFile(p.pos_file, ctx.log, p.follow_inodes ? 'inode' : 'path') : null;
    if (!p.pos_file) ctx.log.warn({}, "'pos_file PATH' parameter is not set to a 'tail' source. this parameter is highly recommended to save the position to resume tailing.");
    this.watchers = new (p.follow_inodes ? InodeWatchers : PathWatchers)(ctx, p, parser, this.pos);
  }

  async start(): Promise<void> {
    this.pos?.load();
    if (!this.p.skip_refresh_on_startup) await this.watchers.refresh(true);
    this.watchers.started = true;
    this.timer = setInterval(() => this.watchers.pollAll(), POLL_MS);
    this.refreshTimer = setInterval(() => void this.watchers.refresh(false), this.p.refresh_interval * 1000);
    this.posTimer = setInterval(() => this.pos?.flush(), 100);
    this.watchers.pollAll();
  }

  async shutdown(): Promise<void> {
    for (const t of [this.timer, this.refreshTimer, this.posTimer]) if (t) clearInterval(t);
    await this.watchers.stop();
    this.pos?.flush();
    await this.watchers.close();
  }
}
