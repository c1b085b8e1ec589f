import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PluginDefinition, PluginKind } from '../plugin-api/types.ts';

const FILE_PREFIX: Record<PluginKind, string> = {
  input: 'in',
  output: 'out',
  filter: 'filter',
  parser: 'parser',
  formatter: 'formatter',
  buffer: 'buf',
};
const EXTENSIONS = ['.ts', '.mjs', '.js'];

/**
 * Fluentd plugins that cannot exist outside Ruby, by `kind:type`: refused with why and what to use instead, rather
 * than as unknown. A -p directory may still provide a plugin of the same name.
 */
const REFUSED: Record<string, string> = {
  'input:debug_agent': "Input plugin 'debug_agent' is Ruby-only: it opens a dRuby console into Fluentd's Ruby process, and logferry has none. Use '@type monitor_agent' to inspect the running plugins, their buffers and retries",
  'input:object_space': "Input plugin 'object_space' is Ruby-only: it counts objects in Fluentd's Ruby VM, and logferry has none. Use '@type monitor_agent' for the running plugins' metrics (emit_records, buffer sizes, retries)",
};

type PluginApi = typeof import('../plugin-api/index.ts');
type PluginFactoryFunction = (api: PluginApi) => PluginDefinition;

export const BUILTIN_PLUGIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins');

/**
 * Finds plugin definitions by kind and `@type` as Fluentd does: a file `<prefix>_<type>` in a `-p` directory (which
 * may override a built-in, as in Fluentd) or in the built-in plugins/ directory. Built-ins go through the same path as
 * third-party plugins, so the public API is the only API.
 */
export class PluginRegistry {
  private readonly cache = new Map<string, Promise<PluginDefinition>>();
  readonly dirs: string[];

  constructor(pluginDirs: string[] = []) {
    this.dirs = [...pluginDirs.map((d) => path.resolve(d)), BUILTIN_PLUGIN_DIR];
  }

  load(kind: PluginKind, type: string): Promise<PluginDefinition> {
    const key = `${kind}:${type}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.import(kind, type);
      this.cache.set(key, found);
    }
    return found;
  }

  /** Every plugin file in the directories, for `--help`-style listings and the README table. */
  list(): Array<{ kind: PluginKind; type: string; file: string }> {
    const out: Array<{ kind: PluginKind; type: string; file: string }> = [];
    const seen = new Set<string>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        const ext = EXTENSIONS.find((e) => name.endsWith(e));
        if (!ext || name.endsWith('.d.ts')) continue;
        const base = name.slice(0, -ext.length);
        for (const [kind, prefix] of Object.entries(FILE_PREFIX) as Array<[PluginKind, string]>) {
          if (!base.startsWith(`${prefix}_`)) continue;
          const type = base.slice(prefix.length + 1);
          if (seen.has(`${kind}:${type}`)) continue;
          seen.add(`${kind}:${type}`);
          out.push({ kind, type, file: path.join(dir, name) });
        }
      }
    }
    return out;
  }

  private async import(kind: PluginKind, type: string): Promise<PluginDefinition> {
    if (!/^[A-Za-z0-9_-]+$/.test(type)) throw new Error(`invalid plugin type '${type}'`);
    const base = `${FILE_PREFIX[kind]}_${type}`;
    for (const dir of this.dirs) {
      for (const ext of EXTENSIONS) {
        const file = path.join(dir, base + ext);
        if (!existsSync(file)) continue;
        if (ext === '.ts') await ensureTypeScriptLoader();
        const mod = (await import(pathToFileURL(file).href)) as { default?: PluginDefinition | PluginFactoryFunction };
        // A third-party plugin need not find our package on disk: it may export `(api) => api.defineX({...})`.
        const def = typeof mod.default === 'function' ? mod.default(await import('../plugin-api/index.ts')) : mod.default;
        if (!def || def.kind !== kind || typeof def.create !== 'function') {
          throw new Error(`${file} does not default-export a ${kind} plugin definition (define${capitalize(kind)}({...}))`);
        }
        return def;
      }
    }
    const refused = REFUSED[`${kind}:${type}`];
    if (refused) throw new Error(refused);
    throw new Error(`Unknown ${kind} plugin '${type}'. Run 'logferry --list-plugins' to see the available ones`);
  }
}

let typeScriptLoader: Promise<void> | undefined;

/** The compiled build runs without tsx; a plugin written in TypeScript brings it in when first loaded. */
function ensureTypeScriptLoader(): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return Promise.resolve();
  typeScriptLoader ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return typeScriptLoader;
}

function capitalize(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
