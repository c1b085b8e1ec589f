/**
 * Ruby's `\p{...}` as the inside of a JavaScript `u` class: Onigmo's POSIX-like names (Alpha, Word, ...) by their
 * Unicode definitions, otherwise a General_Category value, a Script, or a binary property, as JavaScript spells them.
 */
const POSIX_LIKE: Record<string, string> = {
  alpha: '\\p{Alphabetic}', digit: '\\p{Nd}', space: '\\p{White_Space}', upper: '\\p{Uppercase}', lower: '\\p{Lowercase}',
  alnum: '\\p{Alphabetic}\\p{Nd}', word: '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}', xdigit: '0-9A-Fa-f', ascii: '\\u{0}-\\u{7f}',
  any: '\\u{0}-\\u{10ffff}', cntrl: '\\p{Cc}', blank: '\\p{Zs}\\t', punct: '\\p{P}$+<=>^`|~',
};

const cache = new Map<string, string | undefined>();

export function propertyClass(name: string): string | undefined {
  if (cache.has(name)) return cache.get(name);
  const key = name.replace(/[\s_-]/g, '').toLowerCase();
  let cls = POSIX_LIKE[key];
  if (cls === undefined) {
    const title = name.split(/[\s_-]+/).map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_');
    for (const candidate of [`General_Category=${name}`, `Script=${name}`, `Script=${title}`, name, title]) {
      try {
        new RegExp(`\\p{${candidate}}`, 'u');
        cls = `\\p{${candidate}}`;
        break;
      } catch {
        // not a name JavaScript knows in this spelling
      }
    }
  }
  cache.set(name, cls);
  return cls;
}
