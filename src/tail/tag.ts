/**
 * in_tail's tag with `*`: the path with `/` as `.`, dots squeezed, the leading dot dropped
 * (`/var/log/app.log` -> `var.log.app.log`); `pre.*` and `*.post` wrap it; only the first `*` counts.
 */
export function expandTag(tag: string, path: string): string {
  const star = tag.indexOf('*');
  if (star < 0) return tag;
  const pathTag = path.replace(/\//g, '.').replace(/\.{2,}/g, '.').replace(/^\./, '');
  const rest = tag.slice(star + 1);
  const nextStar = rest.indexOf('*');
  return tag.slice(0, star) + pathTag + (nextStar < 0 ? rest : rest.slice(0, nextStar));
}
