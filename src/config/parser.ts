import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setOwnProperty } from '../parser/own-property.ts';
import { newElement } from './element.ts';
import type { ConfigElement, SourceLocation } from './element.ts';
import { USE_DEFAULT, USE_NIL } from './embedded.ts';
import type { EmbedContext, EmbeddedValue } from './embedded.ts';
import { ConfigError, formatConfigMessage } from './errors.ts';
import { includeTargets } from './include.ts';
import { scanJson } from './json-literal.ts';
import { ARG_RUN, KEY_RUN, scanString, VALUE_RUN } from './literal.ts';
import { LINE_END, Scanner, SPACING, SPACING_WITHOUT_COMMENT } from './scanner.ts';
import { checkTopLevel } from './structure.ts';

/** What `"#{...}"` in a config reads, and where parse warnings go. */
export interface EmbedOptions {
  /** Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Default: os.hostname() (Ruby's Socket.gethostname). */
  hostname?: string;
  /** Default: SERVERENGINE_WORKER_ID from `env`, or ''. */
  workerId?: string;
  /** Receives `file:line: message` warnings (deprecated `include`, `@`-prefixed nested keys, backup files in a
   *  glob include). Default: written to stderr. */
  onWarning?: (message: string) => void;
}

/** Parses a Fluentd v1 config file (with its @include files) into the ROOT element and checks its top level. */
export function parseConfigFile(path: string, opts: EmbedOptions = {}): ConfigElement {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file: ${(err as Error).message}`, { location: { file: path, line: 0 } });
  }
  return parseConfigString(text, path, opts);
}

/** Parses config text; `file` names it in messages, and its directory is the base of relative @include paths. */
export function parseConfigString(text: string, file: string, opts: EmbedOptions = {}): ConfigElement {
  const env = opts.env ?? process.env;
  const session: Session = {
    ctx: { env, hostname: opts.hostname ?? osHostname(), workerId: opts.workerId ?? env.SERVERENGINE_WORKER_ID ?? '' },
    warn: opts.onWarning ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
    openFiles: [resolve(file)],
  };
  const root = newElement('ROOT', '', { file, line: 0 });
  const parser = new FileParser(new Scanner(text, file), dirname(resolve(file)), session);
  parser.parseElement(true, null, root, 0);
  checkTopLevel(root, session.warn);
  return root;
}

interface Session {
  ctx: EmbedContext;
  warn: (message: string) => void;
  /** The files being parsed, outermost first, to refuse an @include cycle. */
  openFiles: string[];
}

const ELEMENT_NAME = /[a-zA-Z0-9_]+/y;
const END_TAG_OPEN = /<\//y;
const TAG_OPEN = /</y;
const TAG_CLOSE = />/y;
const INCLUDE_DIRECTIVE = new RegExp(String.raw`(@include|include)(?:${SPACING.source})`, 'y');
const OPEN_BRACKET = /\[/y;
const OPEN_BRACE = /\{/y;
/** Parameters every section may use; any other `@` name is refused at top level and in these sections. */
const RESERVED_PARAMS = new Set(['@type', '@id', '@label', '@log_level']);
const ELEM_SYMBOLS = new Set(['match', 'source', 'filter', 'system']);

/** One file of the config (v1_parser.rb): the top file, or an included one merging into the including element. */
class FileParser {
  constructor(
    private readonly s: Scanner,
    private readonly baseDir: string,
    private readonly session: Session,
  ) {}

  /**
   * Reads `key value` lines and sections into `target` until the end of the file (`isRoot`, which an included
   * file also is) or until `</name>`.
   */
  parseElement(isRoot: boolean, name: string | null, target: ConfigElement, openOffset: number): void {
    const s: Scanner = this.s;
    for (;;) {
      s.skip(SPACING);
      if (s.eos()) {
        if (isRoot) return;
        s.fail(`expected end tag '</${name}>' but got end of file`, openOffset);
      }
      if (s.skip(END_TAG_OPEN) !== null) {
        this.parseEndTag(name, s.pos - 2);
        return;
      }
      if (s.skip(TAG_OPEN) !== null) {
        target.elements.push(this.parseSection(s.pos - 1));
        continue;
      }
      const include = isRoot ? s.match(INCLUDE_DIRECTIVE) : null;
      if (include !== null) {
        if (include[1] === 'include') this.warn("'include' is deprecated. Use '@include' instead", s.pos);
        s.pos += include[0].length;
        this.parseInclude(target);
        continue;
      }
      this.parseParameter(isRoot, name, target);
    }
  }

  private parseEndTag(name: string | null, tagOffset: number): void {
    const s: Scanner = this.s;
    const endName = s.scan(ELEMENT_NAME);
    if (endName === null) s.fail('expected a section name after "</"');
    s.skip(SPACING);
    if (s.skip(TAG_CLOSE) === null) s.fail('expected character in tag name');
    if (s.skip(LINE_END) === null) s.fail('expected end of line after end tag');
    if (endName !== name) {
      s.fail(`unmatched end tag '</${endName}>'${name === null ? '' : ` (expected '</${name}>')`}`, tagOffset);
    }
  }

  private parseSection(tagOffset: number): ConfigElement {
    const s: Scanner = this.s;
    const name = s.scan(ELEMENT_NAME);
    if (name === null) s.fail('expected a section name after "<"');
    s.skip(SPACING);
    const argOffset = s.pos;
    const arg = scanString(s, ARG_RUN, this.session.ctx);
    s.skip(SPACING);
    if (s.skip(TAG_CLOSE) === null) s.fail(`expected '>' to close <${name}`, tagOffset);
    if (s.skip(LINE_END) === null) s.fail('expected end of line after tag');
    if (arg === USE_DEFAULT) s.fail('#{use_default} cannot be a section argument', argOffset);
    const element = newElement(name, arg === null || arg === USE_NIL ? '' : arg, this.location(tagOffset));
    this.parseElement(false, name, element, tagOffset);
    return element;
  }

  private parseParameter(isRoot: boolean, section: string | null, target: ConfigElement): void {
    const s: Scanner = this.s;
    const keyOffset = s.pos;
    const key = scanString(s, KEY_RUN, this.session.ctx);
    if (typeof key !== 'string') s.fail('a parameter name must be a string', keyOffset);
    const gap = s.scan(SPACING_WITHOUT_COMMENT);
    // A key alone on its line (`tag_mapped`) has the value "".
    if ((gap !== null && gap.includes('\n')) || s.eos()) {
      setAttr(target, key, '', this.location(keyOffset));
      return;
    }
    if (key === '@include') {
      this.parseInclude(target);
      return;
    }
    if (key.startsWith('@') && !RESERVED_PARAMS.has(key)) {
      if (isRoot || (section !== null && ELEM_SYMBOLS.has(section))) {
        s.fail(`'@' is the system reserved prefix. Don't use '@' prefix parameter in the configuration: ${key}`, keyOffset);
      }
      this.warn(`'@' is the system reserved prefix. It works in the nested configuration for now but it will be rejected: ${key}`, keyOffset);
    }
    const value = this.parseLiteral();
    if (s.skip(LINE_END) === null) s.fail('expected end of line');
    setAttr(target, key, value ?? '', this.location(keyOffset));
  }

  private parseLiteral(): EmbeddedValue | null {
    const s: Scanner = this.s;
    s.skip(SPACING_WITHOUT_COMMENT);
    if (s.skip(OPEN_BRACKET) !== null) return scanJson(s, true, this.session.ctx);
    if (s.skip(OPEN_BRACE) !== null) return scanJson(s, false, this.session.ctx);
    return scanString(s, VALUE_RUN, this.session.ctx);
  }

  /** `@include pattern`: every matching file, in sorted order, merges its parameters and sections into `target`. */
  private parseInclude(target: ConfigElement): void {
    const s: Scanner = this.s;
    const offset = s.pos;
    const uri = scanString(s, VALUE_RUN, this.session.ctx);
    if (typeof uri !== 'string' || uri === '') s.fail('@include needs a path', offset);
    const { files, warnings } = includeTargets(uri, this.baseDir, (message) => s.fail(message, offset));
    for (const warning of warnings) this.warn(warning, offset);
    const open = this.session.openFiles;
    for (const file of files) {
      if (open.includes(file)) s.fail(`@include cycle: ${[...open, file].join(' -> ')}`, offset);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        s.fail(`include error ${uri} - ${(err as Error).message}`, offset);
      }
      open.push(file);
      new FileParser(new Scanner(text, file), dirname(file), this.session).parseElement(true, null, target, 0);
      open.pop();
    }
    s.skip(LINE_END);
  }

  private location(offset: number): SourceLocation {
    return { file: this.s.file, line: this.s.lineOf(offset) };
  }

  private warn(message: string, offset: number): void {
    this.session.warn(formatConfigMessage(message, { location: this.location(offset) }));
  }
}

/** The last setting of a key wins; `#{use_nil}` records it as unset, `#{use_default}` removes it. */
function setAttr(target: ConfigElement, key: string, value: EmbeddedValue, location: SourceLocation): void {
  if (value === USE_DEFAULT) {
    delete target.attrs[key];
    delete target.attrLocations[key];
    target.nils.delete(key);
    return;
  }
  if (value === USE_NIL) {
    delete target.attrs[key];
    target.nils.add(key);
  } else {
    setOwnProperty(target.attrs, key, value);
    target.nils.delete(key);
  }
  setOwnProperty(target.attrLocations, key, location);
}
