import { existsSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { BufferInfo, Chunk } from '../src/plugin-api/index.ts';
import { ConfigError, defineOutput, p, z } from '../src/plugin-api/index.ts';
import { writableP } from '../src/plugin-helpers/file-util.ts';
import { compileStrftime } from '../src/time/strftime.ts';
import { resolveZone } from '../src/time/zone.ts';

/** Fluentd's SecondaryFileOutput::PLACEHOLDER_REGEX: `${tag}`, `${tag[N]}` or `${word}` (letters, digits, _ . @ -). */
const PLACEHOLDER = /\$\{(tag(?:\[\d+\])?|[\w.@-]+)\}/g;
const TAG_PLACEHOLDER = /^tag(?:\[\d+\])?$/;

/**
 * Fluentd's secondary_file: dumps the chunks the primary output could not write, as they are (Fluentd's
 * chunk.write_to: the buffer's bytes, msgpack events unless the primary formats them), to directory/basename.N (or
 * one appended file), gzipped when asked. Only usable inside <secondary>.
 */
export default defineOutput({
  type: 'secondary_file',
  description: 'In <secondary> only: dumps the chunks the primary failed to write, raw (or gzipped), to files.',
  params: z.object({
    directory: p.string().describe('Directory of the dump files; placeholders of the primary\'s chunk keys (required).'),
    basename: p.string().default('dump.bin').describe('File name (no `/`); placeholders of the primary\'s chunk keys.'),
    append: p.bool().default(false).describe('Append every chunk to one file instead of basename.N files.'),
    compress: p.enum(['text', 'gzip']).default('text').describe('text, or gzip each chunk (adds .gz).'),
  }),
  create(ctx, params, conf) {
    const fail = (message: string, param?: string) =>
      new ConfigError(message, { location: (param && conf.attrLocations[param]) || conf.location, section: conf.name, param });
    const primary = ctx.primaryBuffer;
    if (!primary) throw fail('This plugin can only be used in the <secondary> section');
    if (params.basename.includes('/')) throw fail('basename should not include `/`', 'basename');

    const template = `${params.directory.replace(/\/+$/, '')}/${params.basename}`;
    const problem = incompatiblePlaceholder(template, primary);
    if (problem) {
      const param = incompatiblePlaceholder(params.basename, primary) ? 'basename' : 'directory';
      throw fail(`out_secondary_file: basename or directory has an incompatible placeholder${problem}`, param);
    }
    // As Fluentd: the unresolved template itself (placeholders and all) must be creatable.
    if (!writableP(template)) throw fail(`out_secondary_file: \`${params.directory}\` should be writable`, 'directory');

    const suffix = params.compress === 'gzip' ? '.gz' : '';
    const dirMode = ctx.system.dirPermission;
    const fileMode = ctx.system.filePermission;
    const locks = new PathLocks();

    async function dump(target: string, flags: 'a' | 'wx', chunk: Chunk): Promise<void> {
      const handle = await open(target, flags, fileMode);
      const file = handle.createWriteStream();
      if (params.compress === 'gzip') await pipeline(chunk.open(), createGzip(), file);
      else await pipeline(chunk.open(), file);
    }

    return {
      async write(chunk) {
        const base = ctx.extractPlaceholders(template, chunk);
        mkdirSync(path.dirname(base), { recursive: true, mode: dirMode });
        if (params.append) {
          const target = base + suffix;
          await locks.run(target, () => dump(target, 'a', chunk));
          return;
        }
        // Fluentd's generate_path: base.0, base.1, ... the first that does not exist; created exclusively, so a
        // concurrent flush (or another process) that took the same name sends this one to the next index.
        for (let i = 0; ; i++) {
          const target = `${base}.${i}${suffix}`;
          if (existsSync(target)) continue;
          try {
            await locks.run(target, () => dump(target, 'wx', chunk));
            return;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          }
        }
      },
    };
  },
});

/**
 * Fluentd's validate_compatible_with_primary_buffer!: time formats need the primary's `time` chunk key, ${tag} and
 * ${tag[N]} its `tag` key, any other ${key} but ${chunk_id} one of its record chunk keys. Returns the end of the
 * error message, or null.
 */
function incompatiblePlaceholder(template: string, primary: BufferInfo): string | null {
  // Ruby's `str != Time.now.strftime(str)`: does any strftime directive occur?
  if (!primary.chunkKeys.includes('time') && compileStrftime(template, resolveZone('+0000'))(Math.floor(Date.now() / 1000), 0) !== template) {
    return ', remove time formats, like `%Y%m%d`, from basename or directory';
  }
  const placeholders = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const tagPlaceholder = placeholders.find((ph) => TAG_PLACEHOLDER.test(ph));
  if (tagPlaceholder && !primary.chunkKeys.includes('tag')) {
    return ` ${tagPlaceholder}, remove tag placeholder, like \`\${tag}\`, from basename or directory`;
  }
  const recordKeys = primary.chunkKeys.filter((k) => k !== 'time' && k !== 'tag');
  const unknown = placeholders.find((ph) => !TAG_PLACEHOLDER.test(ph) && ph !== 'chunk_id' && !recordKeys.includes(ph));
  if (unknown) return ` ${unknown}, remove variable placeholder, like \`\${varname}\`, from basename or directory`;
  return null;
}

/** Fluentd's synchronize_path: writes to one path run one at a time (appends must not interleave). */
class PathLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
