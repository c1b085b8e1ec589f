/**
 * Ruby's Time.zone_offset: the offset in seconds of a zone written in a time text (`+09:00`, `+0900`, `+09`, `Z`,
 * `UTC`, `EST`, military letters), or undefined for a name Ruby does not know (the time is then read as local time).
 */
const NAMED: Record<string, number> = {
  UTC: 0, Z: 0, UT: 0, GMT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7,
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, I: 9, K: 10, L: 11, M: 12,
  N: -1, O: -2, P: -3, Q: -4, R: -5, S: -6, T: -7, U: -8, V: -9, W: -10, X: -11, Y: -12,
};
const NUMERIC = /^([+-])(\d\d)(:?)(\d\d)(?:\3(\d\d))?$/;
const HOURS = /^[+-]\d\d$/;

export function zoneOffset(text: string): number | undefined {
  const m = NUMERIC.exec(text);
  if (m !== null) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[4]) * 60 + Number(m[5] ?? 0));
  if (HOURS.test(text)) return Number(text) * 3600;
  const hours = NAMED[text.toUpperCase()];
  return hours === undefined ? undefined : hours * 3600;
}
