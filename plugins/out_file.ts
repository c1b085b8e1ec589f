import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Chunk, OutputContext } from '../src/plugin-api/index.ts';
import { ConfigError, defineOutput, newElement, p, z } from '../src/plugin-api/index.ts';
import { writableP } from '../src/plugin-helpers/file-util.ts';
import { createInjector, injectSectionOf, legacyInjectParams } from '../src/plugin-helpers/inject.ts';

const DEFAULT_TIMEKEY = 86400;
const INDEX_PLACEHOLDER = '_**';

/**
 * Fluentd's out_file: each buffer chunk becomes a file (or is appended to one) at `path` with the chunk's time,
 * `path.%Y%m%d_N.log` by default, lines formatted by <format> (out_file's `time<TAB>tag<TAB>json`).
 */
export default defineOutput({
  type: 'file',
  description: 'Writes events to files named by time (and tag), as Fluentd\'s out_file.',
  params: z.object({
    path: p.string().describe('File path; time placeholders (%Y%m%d...), ${tag}, or * for the time part (required).'),
    add_path_suffix: p.bool().default(true).describe('Add path_suffix to a bare path.'),
    path_suffix: p.string().default('.log').describe('Suffix added to a bare path.'),
    append: p.bool().default(false).describe('Append every chunk of a time slice to one file instead of path_N files.'),
    compress: p.enum(['text', 'gz', 'gzip', 'zstd']).default('text').describe('text, or gzip (gz) each flushed chunk.'),
    recompress: p.bool().default(false).describe('Compress again even if the buffer compresses (always true here).'),
    symlink_path: p.unsupported('it links to the buffer chunk file, which logferry\'s buffer does not expose; tail the written files instead').optional(),
    symlink_path_use_relative: p.bool().default(false).describe('Only meaningful with symlink_path.'),
    time_slice_format: p.string().optional().describe('v0.12: the time part of file names; use <buffer time> with timekey.'),
    ...legacyInjectParams,
  }),
  helpers: ['format', 'inject', 'buffer'],
  buffer: { chunkKeys: ['time'], defaults: { '@type': 'file', timekey: String(DEFAULT_TIMEKEY) } },
  prepare(conf, system) {
    // As Fluentd's out_file: without root_dir + @id, the file buffer lives at the output's own path.
    let bufferConf = conf.elements.find((e) => e.name === 'buffer');
    if (!bufferConf) {
      bufferConf = newElement('buffer', 'time', conf.location);
      conf.elements.push(bufferConf);
    }
    if (!('path' in bufferConf.attrs) && !(conf.attrs['@id'] && system.rootDir)) {
      bufferConf.attrs.path = conf.attrs.path ?? '/tmp/dummy_path';
    }
  },
  async create(ctx, params, conf) {
    const fail = (message: string, param = 'path') =>
      new ConfigError(message, { location: conf.attrLocations[param] ?? conf.location, section: conf.name, param });
    if (params.compress === 'zstd') throw fail('compress zstd is not supported by logferry (Node 20 has no zstd); use gzip', 'compress');
    const bufferConf = conf.elements.find((e) => e.name === 'buffer');
    if (bufferConf && !('timekey' in bufferConf.attrs) && bufferConf.arg !== '[]') {
      ctx.log.warn({}, 'default timekey interval (1d) will be used. To change the output frequency, please modify the timekey value');
    }
    if ('utc' in conf.attrs || 'localtime' in conf.attrs) {
      const name = 'utc' in conf.attrs ? 'utc' : 'localtime';
      ctx.log.warn({}, `'${name}' is deprecated for output plugin. This parameter is used for formatter plugin in compatibility layer. If you want to use same feature, use timekey_use_utc parameter in <buffer> directive instead`);
    }
    const buffer = ctx.buffer;
    if (!buffer) throw fail('out_file runs buffered only');
    const timekey = buffer.chunkKeys.includes('time') ? buffer.timekey : null;
    if (params.path.includes('*') && !buffer.timekey) throw fail("path including '*' must be used with buffer chunk key 'time'");
    const compressed = params.compress !== 'text';
    let template: string;
    try {
      template = generatePathTemplate(params.path, timekey, params.append, compressed, {
        pathSuffix: params.add_path_suffix ? params.path_suffix : '',
        timeSliceFormat: params.time_slice_format,
      });
    } catch (err) {
      throw fail((err as Error).message);
    }
    validatePlaceholders(template, buffer.chunkKeys, fail);
    checkWritable(ctx, template, fail);

    const formatter = await ctx.createFormatter(conf.elements.find((e) => e.name === 'format'), { '@type': 'out_file' });
    const inject = createInjector(injectSectionOf(conf), ctx);
    const dirMode = ctx.system.dirPermission;
    const fileMode = ctx.system.filePermission;
    return {
      format: (tag, sec, nsec, record) => formatter.format(tag, sec, nsec, inject(tag, sec, nsec, record)),
      async write(chunk) {
        const resolved = ctx.extractPlaceholders(template, chunk);
        mkdirSync(path.dirname(resolved), { recursive: true, mode: dirMode });
        const target = params.append ? resolved : firstFreePath(resolved);
        const file = createWriteStream(target, { flags: 'a', mode: fileMode });
        if (compressed) await pipeline(chunk.open(), createGzip(), file);
        else await pipeline(chunk.open(), file);
      },
    };
  },
});

/** Fluentd's timekey_to_timeformat: the file-name time part for a timekey. */
function timekeyFormat(timekey: number): string {
  if (timekey < 60) return '%Y%m%d%H%M%S';
  if (timekey < 3600) return '%Y%m%d%H%M';
  if (timekey < 86400) return '%Y%m%d%H';
  return '%Y%m%d';
}

/**
 * Fluentd's out_file#generate_path_template: `*` becomes the time part (and `_**`, the index placeholder, unless
 * append); a path without time placeholders gets `.<time part>`; then the suffix and `.gz`.
 */
export function generatePathTemplate(
  original: string, timekey: number | null, append: boolean, gzip: boolean,
  options: { pathSuffix: string; timeSliceFormat?: string | undefined },
): string {
  const compSuffix = gzip ? '.gz' : '';
  const index = append ? '' : INDEX_PLACEHOLDER;
  if (original.includes('*')) {
    const timePart = options.timeSliceFormat ?? timekeyFormat(timekey!);
    return original.replaceAll('*', timePart + index) + compSuffix;
  }
  if (timekey === null) return `${original}${index}${options.pathSuffix}${compSuffix}`;
  if (options.timeSliceFormat !== undefined) {
    return `${original}.${options.timeSliceFormat}${index}${options.pathSuffix}${compSuffix}`;
  }
  const timePart = timekeyFormat(timekey);
  const pieces = timePart.match(/../g)!;
  if (pieces.some((ph) => original.includes(ph))) {
    if (pieces.some((ph) => !original.includes(ph))) throw new Error('insufficient timestamp placeholders in path');
    return `${original}${index}${options.pathSuffix}${compSuffix}`;
  }
  return `${original}.${timePart}${index}${options.pathSuffix}${compSuffix}`;
}

/** The part of Fluentd's placeholder_validate! that config mistakes hit: placeholders the chunk keys cannot fill. */
function validatePlaceholders(template: string, chunkKeys: string[], fail: (m: string) => Error): void {
  if (/\$\{tag(\[-?\d+\])?\}/.test(template) && !chunkKeys.includes('tag')) {
    throw fail(`Parameter 'path: ${template}' has tag placeholders, but chunk key 'tag' is not configured`);
  }
  for (const m of template.matchAll(/\$\{([^}\[]+)\}/g)) {
    const key = m[1]!;
    if (key !== 'tag' && key !== 'chunk_id' && !chunkKeys.includes(key)) {
      throw fail(`Parameter 'path: ${template}' doesn't have enough placeholders for keys ${key}`);
    }
  }
  if (/%[YmdHMS]/.test(template) && !chunkKeys.includes('time')) {
    throw fail(`Parameter 'path: ${template}' has timestamp placeholders, but chunk key 'time' is not configured`);
  }
}

/** Fluentd's FileUtil.writable_p? on the path a chunk of now would get: the file, or its nearest existing dir. */
function checkWritable(ctx: OutputContext, template: string, fail: (m: string) => Error): void {
  const nowSec = Math.floor(Date.now() / 1000);
  const probe: Chunk = {
    uniqueId: Buffer.alloc(16),
    chunkId: '0'.repeat(32),
    metadata: { timekey: nowSec, tag: 'a', variables: null },
    bytesize: 0, recordCount: 0, createdAt: nowSec,
    read: async () => Buffer.alloc(0),
    open: () => { throw new Error('probe chunk has no data'); },
    getMemo: () => undefined,
    setMemo: async () => {},
  };
  let target: string;
  try {
    target = ctx.extractPlaceholders(template, probe).replace(INDEX_PLACEHOLDER, '_0');
  } catch {
    return; // placeholders the probe cannot fill are checked per chunk when writing
  }
  if (!writableP(target)) throw fail(`out_file: \`${target}\` is not writable`);
}

/** Fluentd's find_filepath_available: `_**` becomes `_0`, `_1`, ... the first name not taken. */
function firstFreePath(template: string): string {
  for (let i = 0; ; i++) {
    const candidate = template.replace(INDEX_PLACEHOLDER, `_${i}`);
    if (!existsSync(candidate)) return candidate;
  }
}
