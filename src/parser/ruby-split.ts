/**
 * Ruby's String#split, which Fluentd's ltsv, tsv, csv (fast) parsers and the `array` type rely on. It differs from
 * JavaScript's in ways that change records: a single space means "runs of whitespace, leading ones ignored" (awk
 * mode), a positive limit puts the unsplit remainder in the last field, trailing empty fields are dropped unless a
 * limit is given, an empty string gives no fields at all, and regexp captures that did not participate are skipped.
 */
export type SplitPattern = string | RegExp;

/** A pattern prepared once at configure time (a regexp gets the global flag split needs). */
export interface Splitter {
  split(text: string, limit?: number): string[];
}

export function createSplitter(pattern: SplitPattern): Splitter {
  if (typeof pattern !== 'string') {
    const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '') + 'g');
    return { split: (text, limit = 0) => trimTrailing(splitRegexp(text, re, limit), limit) };
  }
  if (pattern === ' ') return { split: (text, limit = 0) => trimTrailing(splitAwk(text, limit), limit) };
  return { split: (text, limit = 0) => trimTrailing(splitString(text, pattern, limit), limit) };
}

/** One-off split (not for hot paths with regexp patterns: those should use a prepared Splitter). */
export function rubySplit(text: string, pattern: SplitPattern, limit = 0): string[] {
  return createSplitter(pattern).split(text, limit);
}

function trimTrailing(fields: string[], limit: number): string[] {
  if (limit === 0) {
    let n = fields.length;
    while (n > 0 && fields[n - 1] === '') n--;
    fields.length = n;
  }
  return fields;
}

function isAsciiSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function splitAwk(text: string, limit: number): string[] {
  const out: string[] = [];
  if (text.length === 0) return out;
  let beg = 0;
  let end = 0;
  let skip = true;
  let i = 1;
  for (let p = 0; p < text.length; p++) {
    const space = isAsciiSpace(text.charCodeAt(p));
    if (skip) {
      if (space) {
        beg = p + 1;
      } else {
        end = p + 1;
        skip = false;
        if (limit > 0 && limit <= i) break;
      }
    } else if (space) {
      out.push(text.slice(beg, end));
      skip = true;
      beg = p + 1;
      if (limit > 0) i++;
    } else {
      end = p + 1;
    }
  }
  if (limit !== 0 || text.length > beg) out.push(text.slice(beg));
  return out;
}

function splitString(text: string, sep: string, limit: number): string[] {
  const out: string[] = [];
  if (text.length === 0) return out;
  if (sep.length === 0) return splitChars(text, limit);
  if (limit === 1) return [text];
  let beg = 0;
  let idx: number;
  while ((idx = text.indexOf(sep, beg)) >= 0) {
    out.push(text.slice(beg, idx));
    beg = idx + sep.length;
    if (limit > 0 && out.length === limit - 1) break;
  }
  out.push(text.slice(beg));
  return out;
}

function splitChars(text: string, limit: number): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < text.length) {
    if (limit > 0 && out.length === limit - 1) {
      out.push(text.slice(p));
      return out;
    }
    const width = charWidth(text, p);
    out.push(text.slice(p, p + width));
    p += width;
  }
  return out;
}

function charWidth(text: string, p: number): number {
  const c = text.charCodeAt(p);
  return c >= 0xd800 && c <= 0xdbff && p + 1 < text.length ? 2 : 1;
}

function splitRegexp(text: string, re: RegExp, limit: number): string[] {
  const out: string[] = [];
  if (text.length === 0) return out;
  if (limit === 1) return [text];
  let beg = 0;
  let start = 0;
  let lastNull = false;
  let count = 1;
  while (start <= text.length) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (!m) break;
    const end = m.index;
    const matchEnd = end + m[0].length;
    if (start === end && m[0].length === 0) {
      if (text.length === 0) {
        out.push('');
        break;
      } else if (lastNull) {
        out.push(text.slice(beg, start));
        beg = start;
      } else {
        start += start < text.length ? charWidth(text, start) : 1;
        lastNull = true;
        continue;
      }
    } else {
      out.push(text.slice(beg, end));
      beg = start = matchEnd;
    }
    lastNull = false;
    for (let g = 1; g < m.length; g++) {
      if (m[g] !== undefined) out.push(m[g]!);
    }
    if (limit > 0 && limit <= ++count) break;
  }
  if (text.length > 0 && (limit !== 0 || text.length > beg || limit < 0)) out.push(text.slice(beg));
  return out;
}
