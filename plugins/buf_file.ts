import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { FileStorage } from '../src/buffer/file-storage.ts';
import { bufferParams } from '../src/buffer/settings.ts';
import { ConfigError, defineBuffer } from '../src/plugin-api/index.ts';

/**
 * Fluentd's buf_file: each chunk a file plus a .meta, in Fluentd's layout, surviving restarts and crashes.
 * `path /dir` (a directory, or a name without extension) holds `buffer.*.log`; a path with `*` is used as is; with
 * no path, `<root_dir>/worker0/<@id>/buffer/buffer.*.log`.
 */
export default defineBuffer({
  type: 'file',
  description: 'Buffer chunks in files that survive restarts and crashes.',
  params: bufferParams.pick({ path: true, path_suffix: true, compress: true }),
  create(ctx, params, conf) {
    const suffix = params.path_suffix;
    let pattern: string;
    if (params.path) {
      const p = params.path;
      if (p.includes('*')) pattern = p;
      else if ((existsSync(p) && statSync(p).isDirectory()) || path.extname(p) === '') pattern = path.join(p, `buffer.*${suffix}`);
      else pattern = `${p}.*${suffix}`;
    } else if (ctx.system.rootDir) {
      if (ctx.id.startsWith('object:')) {
        throw new ConfigError('the file buffer needs @id on its output to place its chunks under root_dir (or a path in <buffer>)', { location: conf.location, section: 'buffer', param: 'path' });
      }
      pattern = path.join(ctx.system.rootDir, `worker${ctx.system.workerId}`, ctx.id, 'buffer', `buffer.*${suffix}`);
    } else {
      throw new ConfigError("buffer path is not configured. specify 'path' in <buffer>", { location: conf.location, section: 'buffer', param: 'path' });
    }
    const backupDir = path.join(ctx.system.rootDir ?? '/tmp/fluent', 'backup', `worker${ctx.system.workerId}`, ctx.id.replace(/[^\w.-]/g, '_'));
    return new FileStorage(pattern, params.compress === 'gzip', { file: ctx.system.filePermission, dir: ctx.system.dirPermission }, ctx.log, backupDir);
  },
});
