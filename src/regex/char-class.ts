/**
 * Ruby character sets as JavaScript class fragments. Ruby's \s, \h and POSIX brackets are ASCII sets (in_tail reads
 * bytes), so they are written out as ranges, and their negations as the complementary ranges.
 */
export type Ranges = Array<[number, number]>;

const R = (...pairs: Array<[string, string]>): Ranges => pairs.map(([a, b]) => [a.charCodeAt(0), b.charCodeAt(0)]);

export const SPACE: Ranges = [[9, 13], [32, 32]];
export const HEX: Ranges = R(['0', '9'], ['A', 'F'], ['a', 'f']);
export const POSIX: Record<string, Ranges> = {
  alnum: R(['0', '9'], ['A', 'Z'], ['a', 'z']), alpha: R(['A', 'Z'], ['a', 'z']), ascii: [[0, 127]], blank: [[9, 9], [32, 32]],
  cntrl: [[0, 31], [127, 127]], digit: R(['0', '9']), graph: [[33, 126]], lower: R(['a', 'z']), print: [[32, 126]],
  punct: [[33, 47], [58, 64], [91, 96], [123, 126]], space: SPACE, upper: R(['A', 'Z']), word: R(['0', '9'], ['A', 'Z'], ['_', '_'], ['a', 'z']),
  xdigit: HEX,
};

export function complement(ranges: Ranges): Ranges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

/** A code unit as it can stand inside a JavaScript class (or outside one) in any flag mode. */
export function classChar(cp: number): string {
  if ((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95 || cp === 32) return String.fromCharCode(cp);
  if (cp > 0xffff) return `\\u{${cp.toString(16)}}`;
  return `\\u${cp.toString(16).padStart(4, '0')}`;
}

export function rangesText(ranges: Ranges): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

/** The other-case ranges of the ASCII letters in a range, for a case-insensitive part of a pattern. */
export function caseVariants(lo: number, hi: number): Ranges {
  const out: Ranges = [];
  const shift = (a: number, b: number, by: number) => {
    const from = Math.max(lo, a);
    const to = Math.min(hi, b);
    if (from <= to) out.push([from + by, to + by]);
  };
  shift(65, 90, 32);
  shift(97, 122, -32);
  if (hi - lo < 256) {
    for (let cp = Math.max(lo, 128); cp <= hi; cp++) {
      const c = String.fromCharCode(cp);
      for (const v of new Set([c.toLowerCase(), c.toUpperCase()])) if (v.length === 1 && v !== c) out.push([v.charCodeAt(0), v.charCodeAt(0)]);
    }
  }
  return out;
}
