import { setOwnProperty } from '../parser/own-property.ts';
import type { ConfigElement } from './element.ts';
import { scanJson } from './json-literal.ts';
import { Scanner } from './scanner.ts';

/**
 * Writes a parsed config back out, for `--dry-run`/startup logs and `--json` dumps. The text form is Fluentd's
 * (`<source>` ... `</source>`, two-space indentation, `key value`) without Fluentd's `<ROOT>` wrapper, so that it
 * is itself a valid config: values are quoted only where the unquoted form would read back differently, and
 * parsing the output gives the same tree. Secret parameters are masked as `xxxxxx`, as Fluentd masks them.
 */

export interface DumpOptions {
  json?: boolean;
  /** Parameters to mask besides the always-masked credential names. */
  isSecret?: (sectionName: string, key: string) => boolean;
}

/** Credential parameter names of common plugins, masked even when no plugin schema says so. */
const ALWAYS_SECRET = new Set(['aws_sec_key', 'shared_key', 'password', 'sse_customer_key', 'secret_access_key']);
const MASK = 'xxxxxx';

export interface DumpedElement {
  name: string;
  arg: string;
  attrs: Record<string, string>;
  /** Parameters written as `#{use_nil}` (only present when there are some). */
  nils?: string[];
  elements: DumpedElement[];
}

export function dumpConfig(root: ConfigElement, opts: DumpOptions = {}): string {
  const secret = (section: string, key: string) => ALWAYS_SECRET.has(key) || (opts.isSecret?.(section, key) ?? false);
  if (opts.json) return `${JSON.stringify(toJsonTree(root, secret), null, 2)}\n`;
  const lines: string[] = [];
  writeBody(root, '', secret, lines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

type SecretTest = (section: string, key: string) => boolean;

/** A section's attributes with secret values masked as in dumps: the credential names above, and `isSecret` ones. */
export function maskSecrets(attrs: Record<string, string>, isSecret: (key: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    setOwnProperty(out, k, ALWAYS_SECRET.has(k) || isSecret(k) ? MASK : v);
  }
  return out;
}

function toJsonTree(el: ConfigElement, secret: SecretTest): DumpedElement {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) {
    setOwnProperty(attrs, k, secret(el.name, k) ? MASK : v);
  }
  const tree: DumpedElement = { name: el.name, arg: el.arg, attrs, elements: [] };
  if (el.nils.size > 0) tree.nils = [...el.nils];
  tree.elements = el.elements.map((child) => toJsonTree(child, secret));
  return tree;
}

function writeBody(el: ConfigElement, indent: string, secret: SecretTest, lines: string[]): void {
  for (const [k, v] of Object.entries(el.attrs)) {
    lines.push(`${indent}${dumpKey(k)} ${secret(el.name, k) ? MASK : dumpValue(v)}`);
  }
  for (const k of el.nils) lines.push(`${indent}${dumpKey(k)} "#{use_nil}"`);
  for (const child of el.elements) {
    lines.push(child.arg === '' ? `${indent}<${child.name}>` : `${indent}<${child.name} ${dumpArg(child.arg)}>`);
    writeBody(child, `${indent}  `, secret, lines);
    lines.push(`${indent}</${child.name}>`);
  }
}

/** A name runs to whitespace; a leading quote, `<` or `#` would be read as something else. */
function dumpKey(key: string): string {
  return key === '' || /[\s]/.test(key) || /^["'<#]/.test(key) ? doubleQuoted(key) : key;
}

/**
 * An unquoted value cannot start with a blank or a quote, end with a blank, hold a line break, or have a blank
 * before `#` (a comment). A value starting with `[` or `{` stays bare only if it reads back as the same JSON.
 */
function dumpValue(value: string): string {
  if (value === '' || /^[\s"']/.test(value) || /[ \t]$/.test(value) || /[\r\n]|[ \t]#/.test(value)) return doubleQuoted(value);
  if (/^[[{]/.test(value) && !readsBackAsJson(value)) return doubleQuoted(value);
  return value;
}

/** A section argument also ends at `>` and cannot start with `#` (a comment). */
function dumpArg(arg: string): string {
  return /^[\s"'#]/.test(arg) || /[ \t]$/.test(arg) || /[\r\n>]|[ \t]#/.test(arg) ? doubleQuoted(arg) : arg;
}

function readsBackAsJson(value: string): boolean {
  const s = new Scanner(value, '(dump)');
  s.pos = 1;
  try {
    return scanJson(s, value[0] === '[', null) === value && s.eos();
  } catch {
    return false;
  }
}

const QUOTED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\f': '\\f',
  '\b': '\\b',
  '\0': '\\0',
  '#': '\\#',
};

/** Double-quoted with Fluentd's escapes; `#{` is escaped so that nothing is interpolated on reading back. */
function doubleQuoted(text: string): string {
  return `"${text.replace(/[\\"\n\r\t\f\b\0]|#(?=\{)/g, (c) => QUOTED_ESCAPES[c]!)}"`;
}
