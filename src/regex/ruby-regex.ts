import { caseVariants, classChar, complement, HEX, POSIX, rangesText, SPACE, type Ranges } from './char-class.ts';
import { propertyClass } from './unicode-property.ts';

/**
 * Ruby (Onigmo) regular expressions as JavaScript RegExps. Fluentd configs hold Ruby regexps; the translation is
 * exact for what it accepts, and anything it cannot translate exactly is refused with the construct and its
 * position named — never a silently different match.
 *
 * Ruby's `^`/`$` are line anchors for `\n` only and its `.` excludes only `\n`, so neither maps to a JS flag (JS
 * also breaks lines at `\r`, U+2028, U+2029): they become lookarounds and `[^\n]`. Ruby's `m` option (dot matches
 * newline) makes `.` `[\s\S]`; `i` is the JS `i` flag when it covers the whole pattern, else letters are spelled in
 * both cases; `x` drops whitespace and comments. The `u` flag is used only for `\p{...}`.
 */

interface Flags { i: boolean; m: boolean; x: boolean }

const NAMES = new WeakMap<RegExp, string[]>();
const SYNTAX = '^$\\.*+?()[]{}|/';

/** `/body/flags` (flags i, m, x) or a bare pattern, as Fluentd's regexp parameters are written. */
export function parseRubyRegexLiteral(value: string): { source: string; flags: string } {
  const m = /^\/(.*)\/([imx]*)$/s.exec(value);
  return m ? { source: m[1]!, flags: m[2]! } : { source: value, flags: '' };
}

export function compileRubyRegex(source: string, flags: string): RegExp {
  for (const f of flags) if (!'imx'.includes(f)) throw new Error(`unknown Ruby regexp option '${f}' in /${source}/${flags}`);
  const t = new Translator(source, { i: flags.includes('i'), m: flags.includes('m'), x: flags.includes('x') });
  const body = t.translate();
  let re: RegExp;
  try {
    re = new RegExp(body, (t.jsIgnoreCase ? 'i' : '') + (t.unicode ? 'u' : ''));
  } catch (err) {
    throw new Error(`invalid regexp /${source}/: ${(err as Error).message}`);
  }
  NAMES.set(re, t.names);
  return re;
}

/** Names of the named groups, in order. */
export function namedGroups(re: RegExp): string[] {
  return NAMES.get(re) ?? [...re.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
}

class Translator {
  readonly names: string[] = [];
  /** Ruby: when a pattern has named groups, plain parentheses do not capture. */
  private readonly hasNamed: boolean;
  readonly jsIgnoreCase: boolean;
  readonly unicode: boolean;
  private pos = 0;
  private readonly stack: Flags[];
  /** What the last token was, for quantifier rules: possessive `++`, lazy `+?`, and Ruby's `{n}+`. */
  private last: 'atom' | 'quantifier' | 'interval' | 'lazy' | 'none' = 'none';

  constructor(private readonly src: string, flags: Flags) {
    this.stack = [flags];
    this.hasNamed = /\(\?(?:<(?![=!])|')/.test(src);
    this.jsIgnoreCase = flags.i && !/\(\?[imx]*-[mx]*i/.test(src);
    this.unicode = /\\[pP]\{|\\p\{/.test(src);
  }

  private get flags(): Flags {
    return this.stack[this.stack.length - 1]!;
  }

  private refuse(construct: string, at = this.pos): never {
    throw new Error(`Ruby regexp construct ${construct} at position ${at} of /${this.src}/ has no exact JavaScript equivalent`);
  }

  private caseFolded(): boolean {
    return this.flags.i && !this.jsIgnoreCase;
  }

  translate(): string {
    let out = '';
    const src = this.src;
    while (this.pos < src.length) {
      const at = this.pos;
      const c = src[this.pos++]!;
      if (this.flags.x && (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v')) continue;
      if (this.flags.x && c === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
        continue;
      }
      if (c === '*' || c === '+' || c === '?') {
        out += this.quantifier(c, at);
        continue;
      }
      if (c === '{') {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(src.slice(at));
        if (m !== null && (m[1] !== '' || m[3] !== '')) {
          if (this.last === 'quantifier' || this.last === 'interval' || this.last === 'lazy' || this.last === 'none') this.refuse('a quantifier without an operand', at);
          this.pos = at + m[0].length;
          out += `{${m[1] || '0'}${m[2]}${m[3]}}`;
          this.last = 'interval';
          continue;
        }
        out += '\\{';
        this.last = 'atom';
        continue;
      }
      this.last = 'atom';
      switch (c) {
        case '\\': out += this.escape(at); break;
        case '[': out += this.charClass(at); break;
        case '(': out += this.group(at); break;
        case ')':
          if (this.stack.length === 1) this.refuse('an unmatched )', at);
          this.stack.pop();
          out += ')';
          break;
        case '|': out += '|'; this.last = 'none'; break;
        case '.': out += this.flags.m ? '[\\s\\S]' : '[^\\n]'; break;
        case '^': out += '(?<![^\\n])'; this.last = 'none'; break;
        case '$': out += '(?![^\\n])'; this.last = 'none'; break;
        default: {
          const cp = src.codePointAt(at)!;
          if (cp > 0xffff) this.pos++;
          out += this.literal(cp);
        }
      }
    }
    if (this.stack.length !== 1) this.refuse('an unterminated group', src.length);
    return out;
  }

  private quantifier(c: string, at: number): string {
    if (this.last === 'none') this.refuse(`a quantifier ${c} without an operand`, at);
    if (this.last === 'quantifier') {
      if (c === '+') this.refuse('possessive quantifiers (*+, ++, ?+)', at - 1);
      if (c === '?') {
        this.last = 'lazy';
        return '?';
      }
      this.refuse(`a repeated quantifier ${this.src.slice(at - 1, at + 1)}`, at - 1);
    }
    if (this.last === 'interval') {
      if (c === '?') {
        this.last = 'lazy';
        return '?';
      }
      this.refuse(`a quantifier after {n,m} (Ruby repeats the interval)`, at);
    }
    if (this.last === 'lazy') this.refuse(`a quantifier after a lazy quantifier`, at);
    this.last = 'quantifier';
    return c;
  }

  /** A literal code point outside a class: escaped if it is syntax, spelled in both cases under a scoped `i`. */
  private literal(cp: number): string {
    if (this.caseFolded()) {
      const variants = caseVariants(cp, cp);
      if (variants.length > 0) return `[${rangesText([[cp, cp], ...variants])}]`;
    }
    const c = String.fromCodePoint(cp);
    if (SYNTAX.includes(c)) return `\\${c}`;
    if (cp > 0xffff && !this.unicode) return `(?:${c})`; // both code units, as the text holds them, quantified together
    return c === '-' ? '-' : cp < 32 || cp === 127 ? classChar(cp) : c;
  }

  private escape(at: number): string {
    const src = this.src;
    const n = src[this.pos++];
    if (n === undefined) this.refuse('a trailing backslash', at);
    switch (n) {
      case 'A': return '(?<![\\s\\S])';
      case 'z': return '(?![\\s\\S])';
      case 'Z': return '(?=\\n?(?![\\s\\S]))';
      case 'b': case 'B': case 'd': case 'D': case 'w': case 'W': return `\\${n}`;
      case 's': return `[${rangesText(SPACE)}]`;
      case 'S': return `[^${rangesText(SPACE)}]`;
      case 'h': return `[${rangesText(HEX)}]`;
      case 'H': return `[^${rangesText(HEX)}]`;
      case 'p': case 'P': return this.property(n, at);
      case 'k': return this.namedBackref(at);
      case 'K': case 'G': case 'X': case 'R': case 'g': case 'y': case 'Y': case 'C': case 'M': return this.refuse(`\\${n}`, at);
      default: {
        if (n >= '1' && n <= '9') {
          // Ruby reads \12 as a backreference only when that many groups exist, else as octal: not decidable here
          if (/\d/.test(src[this.pos] ?? '')) this.refuse('a multi-digit backreference or octal escape', at);
          return this.numberedBackref(n, at);
        }
        return this.literal(this.codeEscape(n, at));
      }
    }
  }

  /** The code point of a character escape (`\n`, `\x41`, `\u{1F600}`, `\0`, `\/`, ...). */
  private codeEscape(n: string, at: number): number {
    const src = this.src;
    switch (n) {
      case 'n': return 10;
      case 't': return 9;
      case 'r': return 13;
      case 'f': return 12;
      case 'v': return 11;
      case 'e': return 27;
      case 'a': return 7;
      case 'x': {
        const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(this.pos));
        if (m === null) this.refuse('\\x without hex digits', at);
        this.pos += m[0].length;
        return parseInt(m[0], 16);
      }
      case 'u': {
        const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(src.slice(this.pos));
        if (m === null) this.refuse('\\u without a code point', at);
        this.pos += m[0].length;
        return parseInt(m[1] ?? m[2]!, 16);
      }
      case 'c': {
        const ch = src[this.pos++];
        if (ch === undefined || !/[A-Za-z]/.test(ch)) this.refuse('\\c without a letter', at);
        return ch.toUpperCase().charCodeAt(0) - 64;
      }
      case '0': {
        const m = /^[0-7]{0,2}/.exec(src.slice(this.pos))!;
        this.pos += m[0].length;
        return parseInt(`0${m[0]}`, 8);
      }
      default:
        if (/[0-7]/.test(n)) this.refuse('an octal escape', at);
        return n.codePointAt(0)!; // Ruby ignores an unknown escape: \/ is /, \q is q
    }
  }

  private numberedBackref(digits: string, at: number): string {
    if (this.hasNamed) this.refuse(`the numbered backreference \\${digits} in a regexp with named groups`, at);
    if (this.caseFolded()) this.refuse(`the backreference \\${digits} under a partial (?i)`, at);
    return `\\${digits}(?:)`;
  }

  private namedBackref(at: number): string {
    const m = /^(?:<([^>]*)>|'([^']*)')/.exec(this.src.slice(this.pos));
    if (m === null) this.refuse('\\k without <name>', at);
    this.pos += m[0].length;
    const name = m[1] ?? m[2]!;
    if (this.caseFolded()) this.refuse(`the backreference \\k<${name}> under a partial (?i)`, at);
    if (/^\d+$/.test(name)) return this.numberedBackref(name, at);
    if (!/^[A-Za-z_]\w*$/.test(name)) this.refuse(`the backreference \\k<${name}>`, at);
    return `\\k<${name}>`;
  }

  private property(n: string, at: number): string {
    const m = /^\{(\^?)([^}]*)\}/.exec(this.src.slice(this.pos));
    if (m === null) this.refuse(`\\${n} without {name}`, at);
    this.pos += m[0].length;
    const negated = (n === 'P') !== (m[1] === '^');
    const cls = propertyClass(m[2]!);
    if (cls === undefined) this.refuse(`the property \\${n}{${m[1]}${m[2]}}`, at);
    return negated ? `[^${cls}]` : `[${cls}]`;
  }

  private group(at: number): string {
    const src = this.src;
    if (src[this.pos] !== '?') {
      this.stack.push({ ...this.flags });
      return this.hasNamed ? '(?:' : '(';
    }
    const rest = src.slice(this.pos + 1);
    if (rest.startsWith('#')) {
      const end = src.indexOf(')', this.pos);
      if (end < 0) this.refuse('an unterminated comment group', at);
      this.pos = end + 1;
      this.last = 'none';
      return '';
    }
    const lookaround = /^(?::|=|!|<=|<!)/.exec(rest);
    if (lookaround !== null) {
      this.pos += 1 + lookaround[0].length;
      this.stack.push({ ...this.flags });
      return `(?${lookaround[0]}`;
    }
    const named = /^(?:<([^>=!][^>]*)>|'([^']*)')/.exec(rest);
    if (named !== null) {
      const name = named[1] ?? named[2]!;
      if (!/^[A-Za-z_]\w*$/.test(name)) this.refuse(`the group name '${name}'`, at);
      if (this.names.includes(name)) this.refuse(`the duplicate group name '${name}'`, at);
      this.names.push(name);
      this.pos += 1 + named[0].length;
      this.stack.push({ ...this.flags });
      return `(?<${name}>`;
    }
    if (rest.startsWith('>')) this.refuse('atomic groups (?>...)', at);
    if (rest.startsWith('~')) this.refuse('absent operators (?~...)', at);
    if (rest.startsWith('(')) this.refuse('conditionals (?(...)...)', at);
    const options = /^([imx]*)(?:-([imx]*))?([:)])/.exec(rest);
    if (options === null || options[0].length === 1) this.refuse(`the group (?${rest.slice(0, 3)}`, at);
    this.pos += 1 + options[0].length;
    const flags = { ...this.flags };
    for (const f of options[1]!) flags[f as keyof Flags] = true;
    for (const f of options[2] ?? '') flags[f as keyof Flags] = false;
    if (options[3] === ')') {
      // (?imx-imx) applies to the rest of the enclosing group
      this.stack[this.stack.length - 1] = flags;
      this.last = 'none';
      return '';
    }
    this.stack.push(flags);
    return '(?:';
  }

  private charClass(at: number): string {
    return `[${this.classBody(at)}]`;
  }

  /** The inside of a class (`^` included), with POSIX brackets, nested classes and Ruby's ASCII escapes resolved. */
  private classBody(at: number): string {
    const src = this.src;
    let out = '';
    if (src[this.pos] === '^') {
      out += '^';
      this.pos++;
    }
    let first = true;
    for (;;) {
      const c = src[this.pos];
      if (c === undefined) this.refuse('an unterminated character class', at);
      if (c === ']' && !first) {
        this.pos++;
        if (out === '' || out === '^') this.refuse('an empty character class', at);
        return out;
      }
      first = false;
      if (c === '[' && src[this.pos + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(this.pos));
        const set = m ? POSIX[m[2]!] : undefined;
        if (m === null || set === undefined) this.refuse(`the bracket expression ${src.slice(this.pos, this.pos + 10)}`, this.pos);
        this.pos += m[0].length;
        out += this.rangesFragment(m[1] === '^' ? complement(set) : set);
        continue;
      }
      if (c === '[') {
        const nestedAt = this.pos++;
        if (src[this.pos] === '^') this.refuse('a negated nested character class', nestedAt);
        out += this.classBody(nestedAt);
        continue;
      }
      if (c === '&' && src[this.pos + 1] === '&') this.refuse('class intersection &&', this.pos);
      const lo = this.classAtom();
      if (typeof lo === 'string') {
        out += lo;
        continue;
      }
      if (src[this.pos] === '-' && src[this.pos + 1] !== ']' && src[this.pos + 1] !== undefined && src[this.pos + 1] !== '[') {
        const dashAt = this.pos++;
        const hi = this.classAtom();
        if (typeof hi === 'string') this.refuse('a range ending in a class escape', dashAt);
        if (hi < lo) this.refuse('an empty range', dashAt);
        out += this.rangesFragment([[lo, hi]]);
      } else {
        out += this.rangesFragment([[lo, lo]]);
      }
    }
  }

  /** One class member: a code point, or the text of a set (`\w`, `\s`, `\p{...}`). */
  private classAtom(): number | string {
    const src = this.src;
    const at = this.pos;
    const c = src.codePointAt(this.pos)!;
    this.pos += c > 0xffff ? 2 : 1;
    if (c !== 92) return c;
    const n = src[this.pos++];
    if (n === undefined) this.refuse('a trailing backslash', at);
    switch (n) {
      case 'd': case 'D': case 'w': case 'W': return `\\${n}`;
      case 's': return this.rangesFragment(SPACE);
      case 'S': return this.rangesFragment(complement(SPACE));
      case 'h': return this.rangesFragment(HEX);
      case 'H': return this.rangesFragment(complement(HEX));
      case 'b': return 8;
      case 'p': case 'P': {
        const m = /^\{(\^?)([^}]*)\}/.exec(src.slice(this.pos));
        const cls = m ? propertyClass(m[2]!) : undefined;
        if (m === null || cls === undefined || (n === 'P') !== (m[1] === '^')) this.refuse(`the property \\${n}${m?.[0] ?? ''} inside a class`, at);
        this.pos += m[0].length;
        return cls;
      }
      default:
        if (/[A-Za-z]/.test(n) && !'ntrfveaxuc0'.includes(n)) this.refuse(`\\${n} inside a character class`, at);
        return this.codeEscape(n, at);
    }
  }

  private rangesFragment(ranges: Ranges): string {
    if (ranges.some(([, hi]) => hi > 0xffff) && !this.unicode) this.refuse('a character beyond U+FFFF in a class');
    if (!this.caseFolded()) return rangesText(ranges);
    return rangesText([...ranges, ...ranges.flatMap(([lo, hi]) => caseVariants(lo, hi))]);
  }
}
