import { readFileSync } from 'node:fs';

/**
 * The process zone's abbreviations, as the C library gives them to Ruby's %Z (`JST`, `EDT`, `UTC`, `+09`): read from
 * the TZif file of $TZ (or /etc/localtime), or from the names of a POSIX TZ string such as `JST-9` or `EST5EDT`.
 * Intl has no such names for most zones (it says `GMT+9` for Tokyo), hence the file.
 */
let byOffset: Map<number, string> | undefined;

export function localAbbreviation(sec: number, offset: number): string {
  byOffset ??= loadAbbreviations(process.env.TZ);
  return byOffset.get(offset) ?? intlAbbreviation(sec);
}

function loadAbbreviations(tz: string | undefined): Map<number, string> {
  const spec = tz?.startsWith(':') ? tz.slice(1) : tz;
  if (spec === '') return new Map([[0, 'UTC']]);
  const posix = spec === undefined ? undefined : /^(<[^>]+>|[A-Za-z]{3,})([+-]?\d{1,2}(?::\d\d){0,2})(<[^>]+>|[A-Za-z]{3,})?/.exec(spec);
  if (posix && !spec!.includes('/')) {
    const std = -posixOffset(posix[2]!);
    const names = new Map([[std, posix[1]!.replace(/[<>]/g, '')]]);
    if (posix[3]) names.set(std + 3600, posix[3].replace(/[<>]/g, ''));
    return names;
  }
  const dir = process.env.TZDIR ?? '/usr/share/zoneinfo';
  try {
    return tzifAbbreviations(readFileSync(spec === undefined ? '/etc/localtime' : spec.startsWith('/') ? spec : `${dir}/${spec}`));
  } catch {
    return new Map();
  }
}

function posixOffset(text: string): number {
  const [h = '0', m = '0', s = '0'] = text.replace(/^[+-]/, '').split(':');
  return (text.startsWith('-') ? -1 : 1) * (Number(h) * 3600 + Number(m) * 60 + Number(s));
}

/**
 * Offset → abbreviation from a TZif file (the 64-bit block of version 2+ files, which slim files alone fill in);
 * later transitions win, so current names prevail.
 */
function tzifAbbreviations(data: Buffer): Map<number, string> {
  const names = new Map<number, string>();
  if (data.toString('latin1', 0, 4) !== 'TZif') return names;
  const v1 = tzifBlock(data, 0, 4);
  const block = data[4]! >= 0x32 ? tzifBlock(data, v1.end, 8) : v1;
  const typeName = (t: number): [number, string] => {
    const at = block.types + t * 6;
    const start = block.chars + data[at + 5]!;
    const end = data.indexOf(0, start);
    return [data.readInt32BE(at), data.toString('latin1', start, end < 0 ? block.chars + block.charcnt : end)];
  };
  for (let t = 0; t < block.typecnt; t++) names.set(...typeName(t));
  for (let i = 0; i < block.timecnt; i++) names.set(...typeName(data[block.indices + i]!));
  return names;
}

function tzifBlock(data: Buffer, at: number, timeSize: number) {
  const [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt] = [20, 24, 28, 32, 36, 40].map((o) => data.readUInt32BE(at + o)) as [number, number, number, number, number, number];
  const indices = at + 44 + timecnt * timeSize;
  const types = indices + timecnt;
  const chars = types + typecnt * 6;
  const end = chars + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt;
  return { timecnt, typecnt, charcnt, indices, types, chars, end };
}

function intlAbbreviation(sec: number): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date(sec * 1000));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
}
