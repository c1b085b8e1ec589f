/**
 * Ruby (Onigmo) regular expressions as JavaScript RegExps. Fluentd configs hold Ruby regexes; the translation is
 * exact for what it accepts, and anything it cannot translate exactly is refused with the construct named — never a
 * silently different match.
 *
 * Ruby's `^`/`$` are always line anchors, so the JS `m` flag is always set; `\A`, `\z`, `\Z` become lookarounds that
 * the `m` flag does not affect. Ruby's `m` option (dot matches newline) is JS `s`.
 */

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9', alpha: 'a-zA-Z', ascii: '\\x00-\\x7f', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9', graph: '\\x21-\\x7e', lower: 'a-z', print: '\\x20-\\x7e', punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\r\\n\\v\\f', upper: 'A-Z', word: '\\w', xdigit: '0-9A-Fa-f',
};

function refuse(construct: string, source: string, at: number): never {
  throw new Error(`Ruby regexp construct ${construct} at position ${at} of /${source}/ has no exact JavaScript equivalent`);
}

/** `/body/flags` (flags i, m, x) or a bare pattern, as in Fluentd's regexp parameter type. */
export function parseRubyRegexLiteral(value: string): { source: string; flags: string } {
  const m = /^\/(.*)\/([imx]*)$/s.exec(value);
  return m ? { source: m[1]!, flags: m[2]! } : { source: value, flags: '' };
}

export function compileRubyRegex(source: string, flags: string): RegExp {
  for (const f of flags) if (!'imx'.includes(f)) throw new Error(`unknown Ruby regexp option '${f}' in /${source}/${flags}`);
  const body = translate(flags.includes('x') ? stripExtended(source) : source, source);
  const jsFlags = `m${flags.includes('i') ? 'i' : ''}${flags.includes('m') ? 's' : ''}`;
  try {
    return new RegExp(body, jsFlags);
  } catch (err) {
    throw new Error(`invalid regexp /${source}/: ${(err as Error).message}`);
  }
}

/** Names of the named groups, in order. */
export function namedGroups(re: RegExp): string[] {
  return [...re.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
}

function translate(src: string, original: string): string {
  let out = '';
  let inClass = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) refuse('a trailing backslash', original, i);
      i++;
      switch (n) {
        case 'A': out += inClass ? 'A' : '(?<![\\s\\S])'; break;
        case 'z': out += inClass ? 'z' : '(?![\\s\\S])'; break;
        case 'Z': out += inClass ? 'Z' : '(?=\\n?(?![\\s\\S]))'; break;
        case 'h': out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]'; break;
        case 'H': if (inClass) refuse('\\H inside a character class', original, i - 1); out += '[^0-9a-fA-F]'; break;
        case 'e': out += '\\x1b'; break;
        case 'a': out += '\\x07'; break;
        case 'K': case 'G': case 'X': case 'R': case 'g': refuse(`\\${n}`, original, i - 1); break;
        case 'p': case 'P': refuse(`\\${n}{...} property classes`, original, i - 1); break;
        case 'k':
          if (src[i + 1] === '<') { out += '\\k'; break; }
          refuse('\\k without <name>', original, i - 1);
          break;
        default: out += `\\${n}`;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        const negated = name.startsWith('^');
        const cls = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (!cls || negated) refuse(`[[:${name}:]]`, original, i);
        out += cls;
        i = end + 1;
        continue;
      }
      if (c === '[') refuse('a nested character class', original, i);
      if (c === '&' && src[i + 1] === '&') refuse('class intersection &&', original, i);
      if (c === ']') inClass = 0;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (/^[:=!]/.test(rest) || /^<[=!]/.test(rest) || /^<[A-Za-z_]\w*>/.test(rest)) {
        out += c;
        continue;
      }
      if (rest.startsWith("'")) refuse("(?'name'...) groups", original, i);
      if (rest.startsWith('>')) refuse('atomic groups (?>...)', original, i);
      if (rest.startsWith('~')) refuse('absent operators (?~...)', original, i);
      if (rest.startsWith('(')) refuse('conditionals (?(...)...)', original, i);
      if (rest.startsWith('#')) {
        const end = src.indexOf(')', i);
        if (end < 0) refuse('an unterminated comment group', original, i);
        i = end;
        continue;
      }
      refuse('inline options (?imx-imx)', original, i);
    }
    if ((c === '+' || c === '?') && i > 0 && /[*+?}]/.test(src[i - 1]!) && src[i - 2] !== '\\') {
      if (c === '+') refuse('possessive quantifiers', original, i);
    }
    out += c;
  }
  return out;
}

/** The x option: whitespace and # comments outside character classes are not part of the pattern. */
function stripExtended(src: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}
