import { compileStrftime } from '../time/strftime.ts';
import { resolveZone } from '../time/zone.ts';
import type { ChunkMetadata } from '../plugin-api/types.ts';
import type { BufferSettings } from './settings.ts';

const TAG_PLACEHOLDER = /\$\{tag(?:\[(-?\d+)\])?\}/g;
const KEY_PLACEHOLDER = /\$\{([^}[\]]+)\}/g;
const strftimeCache = new Map<string, (sec: number, nsec: number) => string>();

/**
 * Fluentd's extract_placeholders, in its order: strftime over the whole string with the chunk's timekey (when time
 * is a chunk key), then ${tag} / ${tag[N]} / ${tag[-N]}, ${chunk_id}, and ${key} for record chunk keys.
 */
export function extractPlaceholders(
  template: string,
  chunk: { metadata: ChunkMetadata; chunkId?: string },
  settings: Pick<BufferSettings, 'chunkKeys' | 'timekeyZone'>,
): string {
  let out = template;
  const { timekey, tag, variables } = chunk.metadata;
  if (settings.chunkKeys.includes('time') && timekey !== null && out.includes('%')) {
    const cacheKey = `${settings.timekeyZone}\u0000${out}`;
    let format = strftimeCache.get(cacheKey);
    if (!format) {
      format = compileStrftime(out, resolveZone(settings.timekeyZone));
      strftimeCache.set(cacheKey, format);
    }
    out = format(timekey, 0);
  }
  if (tag !== null) {
    const parts = tag.split('.');
    out = out.replace(TAG_PLACEHOLDER, (whole, index?: string) => {
      if (index === undefined) return tag;
      const i = Number(index);
      return parts[i < 0 ? parts.length + i : i] ?? whole;
    });
  }
  if (chunk.chunkId) out = out.replaceAll('${chunk_id}', chunk.chunkId);
  if (variables) {
    out = out.replace(KEY_PLACEHOLDER, (whole, key: string) => (key in variables ? variables[key]! : whole));
  }
  return out;
}

/** placeholder_validate!: a placeholder whose chunk key is missing can never be resolved. */
export function validatePlaceholders(template: string, settings: Pick<BufferSettings, 'chunkKeys' | 'timekey'>, param: string): string[] {
  const problems: string[] = [];
  if (/\$\{tag(\[-?\d+\])?\}/.test(template) && !settings.chunkKeys.includes('tag')) {
    problems.push(`Parameter '${param}: ${template}' has tag placeholders, but chunk key 'tag' is not configured`);
  }
  if (/%[YmdHMS]/.test(template) && !settings.chunkKeys.includes('time')) {
    problems.push(`Parameter '${param}: ${template}' has timestamp placeholders, but chunk key 'time' is not configured`);
  }
  for (const m of template.matchAll(KEY_PLACEHOLDER)) {
    const key = m[1]!;
    if (key !== 'tag' && key !== 'chunk_id' && !settings.chunkKeys.includes(key)) {
      problems.push(`Parameter '${param}: ${template}' has unknown placeholder \${${key}}: chunk key '${key}' is not configured`);
    }
  }
  return problems;
}
