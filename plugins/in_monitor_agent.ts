import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InputContext, PluginInfo } from '../src/plugin-api/index.ts';
import { ConfigError, defineInput, EventBatch, nowEventTime, p, z } from '../src/plugin-api/index.ts';
import { compileStrftime } from '../src/time/strftime.ts';
import { resolveZone } from '../src/time/zone.ts';

/**
 * Fluentd's in_monitor_agent: an HTTP API on the running plugins (/api/plugins.json, /api/plugins as LTSV,
 * /api/config.json, /api/config) and, with `tag`, the same plugin records emitted every emit_interval.
 *
 * As Fluentd since v1.19.3 (a security fix): config and retry state are shown only when the monitor_agent's own
 * include_config / include_retry say so, and the query can no longer turn them on (?with_config, ?with_retry,
 * ?debug and ?with_ivars are ignored; ?debug pretty-prints only with include_debug_info). The query selects plugins:
 * ?tag= (the output the first top-level <match> sends that tag to), ?@id= / ?id=, ?@type= / ?type=, in that order.
 *
 * Keys are Fluentd's where logferry has the value. Absent because nothing counts them: emit_size (0 in Fluentd unless
 * enable_size_metrics), rollback/slow_flush/flush_time/write_secondary counts, emit_count of buffered outputs,
 * instance_variables (Ruby internals). logferry's own: dropped_chunk_count (chunks given up: backed up after an
 * unrecoverable error or the retry limit, or dropped by overflow_action drop_oldest_chunk).
 */
export default defineInput({
  type: 'monitor_agent',
  description: 'HTTP API (/api/plugins.json, /api/plugins, /api/config.json) on the running plugins, buffers and retries.',
  params: z.object({
    bind: p.string().default('0.0.0.0').describe('The address to listen on.'),
    port: p.integer().default(24220).describe('The port to listen on (0: any free port, logged at start).'),
    tag: p.string().optional().describe('When set, emit every plugin\'s record (without config and retry) with this tag.'),
    emit_interval: p.time().default(60).describe('Seconds between those emits.'),
    include_config: p.bool().default(false).describe('Show each plugin\'s parameters (secrets masked) as `config`.'),
    include_retry: p.bool().default(false).describe('Show each output\'s retry state {start, steps, next_time} as `retry`.'),
    include_debug_info: p.bool().default(false)
      .describe('Let ?debug=1 pretty-print the JSON (Fluentd\'s Ruby instance_variables have no logferry counterpart).'),
  }),
  create(ctx, params, conf) {
    if (!(params.emit_interval > 0)) {
      throw new ConfigError(`emit_interval must be greater than 0 (given ${params.emit_interval})`, {
        location: conf.attrLocations.emit_interval ?? conf.location, section: conf.name, param: 'emit_interval',
      });
    }
    const opts: InfoOptions = { withConfig: params.include_config, withRetry: params.include_retry };
    let server: Server | undefined;
    let timer: NodeJS.Timeout | undefined;
    let pending: Promise<void> = Promise.resolve();

    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://monitor');
      const route = req.method === 'GET' ? ROUTES[url.pathname] : undefined;
      let reply: Reply;
      try {
        reply = route ? route(ctx, url.searchParams, opts, params.include_debug_info) : NOT_FOUND;
      } catch (err) {
        ctx.log.warn({ err }, 'monitor_agent request failed');
        reply = json(500, { message: 'Internal Server Error', error: (err as Error).message });
      }
      res.writeHead(reply.code, { 'Content-Type': reply.type, 'Content-Length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
    };

    const emitInfo = async (tag: string) => {
      const batch = new EventBatch();
      const now = nowEventTime();
      for (const record of ctx.agent.plugins().map((info) => pluginRecord(info, { withConfig: false, withRetry: false }))) {
        batch.add(now.sec, now.nsec, record);
      }
      try {
        await ctx.emit(tag, batch);
      } catch (err) {
        ctx.log.warn({ err }, 'monitor_agent could not emit the plugin records');
      }
    };

    return {
      async start() {
        const srv = createServer(handle);
        server = srv;
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          // Fluentd adds the worker id so that each worker listens on its own port.
          srv.listen(params.port === 0 ? 0 : params.port + ctx.system.workerId, params.bind, () => {
            srv.off('error', reject);
            resolve();
          });
        });
        const { port } = srv.address() as AddressInfo;
        const host = params.bind.includes(':') ? `[${params.bind}]` : params.bind;
        ctx.log.info({ bind: params.bind, port }, `listening monitoring http server on http://${host}:${port}/api/plugins`);
        const tag = params.tag;
        if (tag !== undefined) {
          timer = setInterval(() => {
            pending = pending.then(() => emitInfo(tag));
          }, params.emit_interval * 1000);
        }
      },
      async shutdown() {
        clearInterval(timer);
        await pending;
        const srv = server;
        server = undefined;
        if (!srv) return;
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeAllConnections();
        });
      },
    };
  },
});

interface InfoOptions {
  withConfig: boolean;
  withRetry: boolean;
}

interface Reply {
  code: number;
  type: string;
  body: string;
}

type Route = (ctx: InputContext, query: URLSearchParams, opts: InfoOptions, debugAllowed: boolean) => Reply;

const ROUTES: Record<string, Route> = {
  '/api/plugins': (ctx, query, opts) => ltsv(selectPlugins(ctx, query).map((info) => pluginRecord(info, opts))),
  '/api/plugins.json': (ctx, query, opts, debugAllowed) =>
    json(200, { plugins: selectPlugins(ctx, query).map((info) => pluginRecord(info, opts)) }, debugAllowed && query.get('debug') !== null),
  '/api/config': (ctx) => ltsv([agentRecord(ctx)]),
  '/api/config.json': (ctx, query, _opts, debugAllowed) => json(200, agentRecord(ctx), debugAllowed && query.get('debug') !== null),
};

const NOT_FOUND: Reply = { code: 404, type: 'application/json', body: JSON.stringify({ message: 'Not found' }) };

function json(code: number, obj: unknown, pretty = false): Reply {
  return { code, type: 'application/json', body: pretty ? JSON.stringify(obj, null, 2) : JSON.stringify(obj) };
}

/** Fluentd's render_ltsv: one line per record, `key:value` by tabs; arrays joined by commas, hashes left out. */
function ltsv(records: Array<Record<string, unknown>>): Reply {
  let text = '';
  for (const record of records) {
    const row: string[] = [];
    for (const [k, v] of Object.entries(record)) {
      if (Array.isArray(v)) row.push(`${k}:${v.join(',')}`);
      else if (v !== null && typeof v === 'object') continue;
      else row.push(`${k}:${v === null || v === undefined ? '' : FLOAT_KEYS.has(k) && Number.isInteger(v) ? `${v}.0` : v}`);
    }
    text += `${row.join('\t')}\n`;
  }
  return { code: 200, type: 'text/plain', body: text };
}

/** Values that are Ruby Floats in Fluentd, so `100` prints as `100.0` as there. */
const FLOAT_KEYS = new Set(['buffer_available_buffer_space_ratios']);

/** Fluentd's build_object: ?tag=, else ?@id= (or ?id=), else ?@type= (or ?type=), else every plugin. */
function selectPlugins(ctx: InputContext, query: URLSearchParams): PluginInfo[] {
  const all = ctx.agent.plugins();
  const tag = query.get('tag');
  if (tag !== null) {
    const id = ctx.agent.outputIdForTag(tag);
    return all.filter((info) => info.category === 'output' && info.id === id).slice(0, 1);
  }
  const id = query.get('@id') ?? query.get('id');
  if (id !== null) return all.filter((info) => info.id === id).slice(0, 1);
  const type = query.get('@type') ?? query.get('type');
  if (type !== null) return all.filter((info) => info.type === type);
  return all;
}

/** One plugin's record, keys in Fluentd's order (MONITOR_INFO, then the plugin's statistics, then retry). */
function pluginRecord(info: PluginInfo, opts: InfoOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { plugin_id: info.id, plugin_category: info.category, type: info.type };
  if (opts.withConfig) out.config = info.config;
  out.output_plugin = info.category === 'output';
  const b = info.buffer;
  if (b) {
    out.buffer_queue_length = b.queueLength;
    out.buffer_timekeys = b.timekeys;
    out.buffer_total_queued_size = b.stageBytes + b.queueBytes;
  }
  // Fluentd's retry_count is the output's num_errors: failed emits and failed writes since start.
  out.retry_count = info.category !== 'output' ? null : b ? b.numErrors : (info.numErrors ?? 0);
  out.emit_records = info.emitRecords;
  if (info.emitCount !== undefined) out.emit_count = info.emitCount;
  if (b) {
    out.write_count = b.writtenChunks;
    out.dropped_chunk_count = b.droppedChunks;
    out.buffer_stage_length = b.stagedChunks;
    out.buffer_stage_byte_size = b.stageBytes;
    out.buffer_queue_byte_size = b.queueBytes;
    out.buffer_available_buffer_space_ratios = Math.round((1 - (b.stageBytes + b.queueBytes) / b.totalLimitSize) * 1000) / 10;
    if (b.timekeys.length > 0) {
      out.buffer_oldest_timekey = b.timekeys[0];
      out.buffer_newest_timekey = b.timekeys[b.timekeys.length - 1];
    }
  }
  if (opts.withRetry && info.category === 'output') {
    out.retry = b && b.retryStart !== null && b.nextRetryTime !== null
      ? { start: rubyTime(b.retryStart), steps: b.retryCount, next_time: rubyTime(b.nextRetryTime) }
      : {};
  }
  return out;
}

// Fluentd's retry times are Ruby Time objects, which JSON renders with Time#to_s.
const formatTime = compileStrftime('%Y-%m-%d %H:%M:%S %z', resolveZone('localtime'));
function rubyTime(epoch: number): string {
  return formatTime(Math.floor(epoch), 0);
}

/** /api/config: pid, ppid, version, then the supervisor options logferry has (Fluentd's names). */
function agentRecord(ctx: InputContext): Record<string, unknown> {
  const o = ctx.agent.options();
  return {
    pid: process.pid,
    ppid: process.ppid,
    version: VERSION,
    config_path: o.configPath,
    plugin_dirs: o.pluginDirs,
    log_level: o.logLevel,
    root_dir: o.rootDir ?? null,
    without_source: o.withoutSource,
  };
}

// plugins/ in the checkout, dist/plugins/ in the build.
const VERSION = (JSON.parse(readFileSync(new URL(import.meta.url.endsWith('.ts') ? '../package.json' : '../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
