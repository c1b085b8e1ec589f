import { posix } from 'node:path';
import { escapePath, globSync } from 'tinyglobby';

/**
 * The files an `@include` names (v1_parser.rb#eval_include): a path or glob, relative to the including file's
 * directory, or a `file://` URI; matches sorted by full path; no match is no file. Fluentd also fetches
 * http(s) URLs; logferry refuses them rather than reading a config over the network at startup.
 */

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const BACKUP_SUFFIXES = ['bak', 'old', 'backup', 'orig', 'prev', 'conf', 'tmp', 'temp', 'debug', 'wip'].flatMap((ext) => [
  `.${ext}.conf`,
  `_${ext}.conf`,
]);

export interface IncludeTargets {
  files: string[];
  warnings: string[];
}

export function includeTargets(uri: string, baseDir: string, fail: (message: string) => never): IncludeTargets {
  const path = localPath(uri, fail);
  // The base directory is a literal path; only the written part is a pattern.
  const pattern = posix.normalize(path.startsWith('/') ? path : `${escapePath(baseDir)}/${path}`);
  const files = globSync([pattern], { absolute: true, onlyFiles: false, expandDirectories: false, dot: false })
    .map((file) => (file.length > 1 && file.endsWith('/') ? file.slice(0, -1) : file))
    .sort();
  const warnings: string[] = [];
  if (path.endsWith('*.conf')) {
    for (const file of files) {
      const name = posix.basename(file);
      if (BACKUP_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
        warnings.push(`There is a possibility that '@include ${uri}' includes duplicated backed-up config file such as <${name}>`);
      }
    }
  }
  return { files, warnings };
}

function localPath(uri: string, fail: (message: string) => never): string {
  const scheme = SCHEME.exec(uri)?.[1];
  if (scheme === undefined) return decodePercent(uri, fail);
  if (scheme.toLowerCase() !== 'file') {
    fail(`@include ${uri}: only local files can be included (Fluentd's ${scheme} includes are not supported by logferry)`);
  }
  const rest = uri.slice(scheme.length + 1);
  // file:///abs/path and file://host/abs/path both name /abs/path, as URI#path does.
  const path = rest.startsWith('//') ? rest.slice(rest.indexOf('/', 2) === -1 ? rest.length : rest.indexOf('/', 2)) : rest;
  return decodePercent(path, fail);
}

/** Fluentd decodes %XX escapes in the include path (so `%20` is a space). */
function decodePercent(path: string, fail: (message: string) => never): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return fail(`@include ${path}: invalid %-escape in the path`);
  }
}
