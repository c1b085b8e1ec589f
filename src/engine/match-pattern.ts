import { compileRubyRegex } from '../regex/ruby-regex.ts';

/**
 * Fluentd's tag patterns (lib/fluent/match.rb): `*` one part, `**` zero or more parts, `{a,b}` alternation (nesting
 * patterns), `\` escapes, `/regex/` a Ruby regex anchored at both ends; several patterns separated by whitespace are
 * OR-ed. The whole pattern is anchored.
 */
export function compileTagPattern(pattern: string): (tag: string) => boolean {
  const parts = pattern.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return () => true; // `<match>` with no argument means `**`
  const regexes = parts.map(toRegExp);
  if (regexes.length === 1) {
    const only = regexes[0]!;
    return (tag) => only.test(tag);
  }
  return (tag) => regexes.some((re) => re.test(tag));
}

function toRegExp(pattern: string): RegExp {
  if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
    const inner = compileRubyRegex(pattern.slice(1, -1), '');
    return new RegExp(`^(?:${inner.source})$`, inner.flags);
  }
  return new RegExp(`^${globToRegexSource(pattern, { i: 0 }, false)}$`);
}

/** Translates a glob part by part, mirroring match.rb's recursive descent so `a.**` matches `a` and `**.a` matches `a`. */
function globToRegexSource(s: string, pos: { i: number }, inBraces: boolean): string {
  let out = '';
  while (pos.i < s.length) {
    const c = s[pos.i]!;
    if (c === '*') {
      if (s[pos.i + 1] === '*') {
        // `**` absorbs a following dot (`a.**.b`, `**.b`) and a preceding one (`a.**`) so zero parts also match.
        const followedByDot = s[pos.i + 2] === '.';
        pos.i += followedByDot ? 3 : 2;
        if (followedByDot) {
          out += '(?:[^]*\\.)?';
        } else if (out.endsWith('\\.')) {
          out = `${out.slice(0, -2)}(?:\\.[^]*)?`;
        } else {
          out += '[^]*';
        }
        continue;
      }
      out += '[^.]*';
      pos.i++;
    } else if (c === '{') {
      pos.i++;
      const alternatives: string[] = [];
      for (;;) {
        alternatives.push(globToRegexSource(s, pos, true));
        const stop = s[pos.i];
        pos.i++;
        if (stop !== ',') break;
      }
      out += `(?:${alternatives.join('|')})`;
    } else if (inBraces && (c === ',' || c === '}')) {
      return out;
    } else if (c === '\\' && pos.i + 1 < s.length) {
      out += escapeRegex(s[pos.i + 1]!);
      pos.i += 2;
    } else {
      out += escapeRegex(c);
      pos.i++;
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[A-Za-z0-9_]/.test(c) ? c : `\\${c}`;
}
