import { glob } from 'tinyglobby';
import { compileStrftime } from '../time/strftime.ts';
import { resolveZone } from '../time/zone.ts';

/** The in_tail parameters that say which files to tail. */
export interface PathOptions {
  path: string;
  path_delimiter: string;
  path_timezone?: string | undefined;
  glob_policy: 'backward_compatible' | 'extended' | 'always';
  exclude_path: unknown[];
}

/** The files path names now: strftime placeholders filled in, globs expanded, exclude_path left out. */
export async function expandPaths(p: PathOptions): Promise<Set<string>> {
  const now = Math.floor(Date.now() / 1000);
  const zone = resolveZone(p.path_timezone ?? 'localtime');
  const paths = p.path.split(p.path_delimiter).map((s) => s.trim()).filter(Boolean).map((s) => compileStrftime(s, zone)(now, 0));
  const excluded = p.exclude_path.map((s) => compileStrftime(String(s), zone)(now, 0));
  const found = new Set<string>();
  const isGlob = (s: string) => (p.glob_policy === 'backward_compatible' ? /\*/ : p.glob_policy === 'extended' ? /[*?[\]]/ : /[*?[\]{}]/).test(s);
  for (const path of paths) {
    if (isGlob(path)) for (const f of await glob(path, { absolute: true, onlyFiles: true, ignore: excluded })) found.add(f);
    else found.add(path);
  }
  return found;
}
