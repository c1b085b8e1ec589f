/**
 * Writes the README's table of plugins and parameters from the plugins' own schemas (`npm run docs`), so the table is
 * never out of date; `--check` exits non-zero when README.md differs (a test runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '../src/engine/registry.ts';
import { describeParams } from '../src/plugin-api/describe-params.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- plugins:start -->';
const END = '<!-- plugins:end -->';

export async function renderPluginTable(): Promise<string> {
  const registry = new PluginRegistry();
  const rows: string[] = [];
  for (const { kind, type } of registry.list()) {
    const def = await registry.load(kind, type);
    const params = collapseNumbered(describeParams(def.params))
      .map((d) => `\`${d.name}\`${d.required ? ' (required)' : d.default && d.default !== 'nil' ? ` = ${cell(d.default)}` : ''}`)
      .join(', ');
    const sections = [...(def.helpers ?? []), ...Object.keys(def.sections ?? {})].map((s) => `\`<${s}>\``).join(' ');
    rows.push(`| ${kind} | \`${type}\` | ${def.description.replace(/\|/g, '\\|')} | ${params || '—'}${sections ? `; sections ${sections}` : ''} |`);
  }
  return ['| kind | @type | what it does | parameters (Fluentd names and defaults) |', '|---|---|---|---|', ...rows].join('\n');
}

/** A table cell: pipes escaped, control characters visible. */
function cell(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/\|/g, '\\|');
}

/**
 * Fluentd's numbered families (grep's regexp1..regexp20, multiline's format1..format20) as one entry. A name that
 * merely ends in digits (sse_customer_key_md5) is a family of one and keeps its name.
 */
function collapseNumbered<T extends { name: string }>(docs: T[]): T[] {
  const families = new Map<string, number[]>();
  for (const d of docs) {
    const m = /^(.*?)(\d+)$/.exec(d.name);
    if (m) families.set(m[1]!, [...(families.get(m[1]!) ?? []), Number(m[2])]);
  }
  const out: T[] = [];
  const done = new Set<string>();
  for (const d of docs) {
    const family = /^(.*?)\d+$/.exec(d.name)?.[1];
    const numbers = family === undefined ? undefined : families.get(family)!;
    if (!numbers || numbers.length < 2) out.push(d);
    else if (!done.has(family!)) {
      done.add(family!);
      out.push({ ...d, name: `${family}${Math.min(...numbers)}..${family}${Math.max(...numbers)}` });
    }
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(repo, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md needs ${START} and ${END} markers`);
  const updated = `${readme.slice(0, start + START.length)}\n${await renderPluginTable()}\n${readme.slice(end)}`;
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md plugin table is out of date: run npm run docs');
      process.exit(1);
    }
  } else {
    writeFileSync(readmePath, updated);
  }
}
