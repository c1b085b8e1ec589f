import assert from 'node:assert/strict';
import type { ConfigElement } from '../../src/config/element.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigString } from '../../src/config/parser.ts';
import type { EmbedOptions } from '../../src/config/parser.ts';

/** The parts of an element a test compares: name, arg, attrs, nils and children, without locations. */
export interface Shape {
  name: string;
  arg: string;
  attrs: Record<string, string>;
  nils?: string[];
  elements: Shape[];
}

export function shape(el: ConfigElement): Shape {
  const s: Shape = { name: el.name, arg: el.arg, attrs: { ...el.attrs }, elements: el.elements.map(shape) };
  if (el.nils.size > 0) s.nils = [...el.nils].sort();
  return s;
}

export function e(name: string, arg = '', attrs: Record<string, string> = {}, elements: Shape[] = []): Shape {
  return { name, arg, attrs, elements };
}

/** Fixed embedding context so results do not depend on the machine running the tests. */
export const EMBED: EmbedOptions = { env: {}, hostname: 'test-host', workerId: '', onWarning: () => {} };

export function parse(text: string, opts: EmbedOptions = EMBED): ConfigElement {
  return parseConfigString(text, '(test)', opts);
}

export function attrsOf(text: string, opts: EmbedOptions = EMBED): Record<string, string> {
  return { ...parse(text, opts).attrs };
}

/** The root's single `k` attribute (the value-parsing tests write `k <value>`). */
export function valueOf(literal: string, opts: EmbedOptions = EMBED): string | undefined {
  return parse(`k ${literal}`, opts).attrs.k;
}

/** Asserts a ConfigError whose message starts with `file:line:` and matches `pattern`. */
export function assertConfigError(run: () => unknown, file: string, line: number, pattern?: RegExp): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.ok(caught.message.startsWith(`${file}:${line}: `), `message "${caught.message}" should start with ${file}:${line}:`);
  assert.equal(caught.context.location?.file, file);
  assert.equal(caught.context.location?.line, line);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

export function assertParseError(text: string, line: number, pattern?: RegExp, opts: EmbedOptions = EMBED): ConfigError {
  return assertConfigError(() => parse(text, opts), '(test)', line, pattern);
}
