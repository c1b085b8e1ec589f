import type { EventRecord } from '../plugin-api/index.ts';
import { setOwnProperty } from './own-property.ts';

/**
 * Runs a translated Ruby regexp and collects its named captures the way Fluentd's RegexpParser does: only groups
 * that participated in the match, all as strings. The group names are listed once, so a line costs one exec and
 * one small object.
 */
export class NamedCaptureMatcher {
  readonly names: readonly string[];
  /** Where the last successful match ended (Ruby's post_match starts here). */
  lastEnd = 0;
  private readonly re: RegExp;

  /** The capture index of each name: reading `m[i]` spares V8 building a `groups` object per line. */
  private readonly indexes: readonly number[];
  /** Record builders by held name index (-1: none), compiled on first use. */
  private readonly builders = new Map<number, (m: RegExpExecArray) => EventRecord>();

  constructor(re: RegExp, names: readonly string[]) {
    this.re = re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
    this.names = names;
    const { order, unnamed } = scanCaptureGroups(this.re.source);
    this.indexes = names.map((name) => order.indexOf(name) + 1);
    // The same groups unnamed (numbering is unchanged), so no `groups` object is built per match.
    if (!this.re.source.includes('\\k<')) this.re = new RegExp(unnamed, this.re.flags);
  }

  /** The capture of names[held] in the last match (undefined when it did not participate). */
  heldValue: string | undefined = undefined;

  /**
   * The record of the named captures that participated. The capture names[held] is not put in the record but in
   * heldValue: a parser that would delete it (the time key) never makes the record a slow dictionary-mode object,
   * which every later step (JSON.stringify above all) would pay for.
   */
  match(text: string, held = -1): EventRecord | null {
    const m = this.re.exec(text);
    if (m === null) return null;
    this.lastEnd = m.index + m[0].length;
    if (held >= 0) this.heldValue = m[this.indexes[held]!];
    let build = this.builders.get(held);
    if (!build) {
      build = compileRecordBuilder(this.names, this.indexes, held);
      this.builders.set(held, build);
    }
    return build(m);
  }
}

/**
 * A record builder for one expression, generated once: a store per group name with the name as a constant, so V8
 * keeps one monomorphic shape instead of going through a keyed store per capture of every line. Names are quoted
 * with JSON.stringify, so no text from the config becomes code.
 */
function compileRecordBuilder(names: readonly string[], indexes: readonly number[], held: number): (m: RegExpExecArray) => EventRecord {
  let body = 'const r = {}; let v;\n';
  for (let i = 0; i < names.length; i++) {
    if (i === held) continue;
    const store = names[i] === '__proto__' ? 'setOwnProperty(r, "__proto__", v)' : `r[${JSON.stringify(names[i])}] = v`;
    body += `v = m[${indexes[i]!}]; if (v !== undefined) ${store};\n`;
  }
  return new Function('setOwnProperty', `return (m) => {\n${body}return r;\n};`)(setOwnProperty) as (m: RegExpExecArray) => EventRecord;
}

/**
 * Scans a JS regexp source: the capture groups in numbering order (a name for named groups, '' for unnamed ones),
 * and the same source with every group unnamed.
 */
function scanCaptureGroups(source: string): { order: string[]; unnamed: string } {
  const order: string[] = [];
  let unnamed = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      unnamed += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      if (source[i + 1] !== '?') {
        order.push('');
      } else {
        const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(source.slice(i, i + 80));
        if (named) {
          order.push(named[1]!);
          unnamed += '(';
          i += named[0].length - 1;
          continue;
        }
      }
    }
    unnamed += c;
  }
  return { order, unnamed };
}
