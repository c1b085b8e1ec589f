/** in_http's include_cors_allow_origin: an exact origin, or a pattern with one `*` (prefix*suffix). */
export function originAllowed(origins: string[], origin: string | undefined): boolean {
  if (origin === undefined) return false;
  if (origins.includes(origin)) return true;
  return origins.some((pattern) => {
    const star = pattern.indexOf('*');
    if (star < 0) return false;
    const start = pattern.slice(0, star);
    const end = pattern.slice(star + 1);
    return origin.startsWith(start) && origin.endsWith(end);
  });
}
