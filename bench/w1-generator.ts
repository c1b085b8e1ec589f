/**
 * W1: a deterministic stream of realistic nginx "combined" lines (about 210 bytes each): varied IPv4 and IPv6
 * clients, methods, paths with query strings, status codes, sizes, referers and user agents, with timestamps rising
 * over two hours so that several hourly timekeys are used.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];
const PATHS = ['/', '/index.html', '/api/v1/items', '/api/v1/users/42', '/static/app.3f9a1c.js', '/static/style.css',
  '/wp-login.php', '/search', '/products/widget-2000', '/cart/checkout', '/images/banner%20big.png', '/robots.txt'];
const STATUSES = [200, 200, 200, 200, 200, 200, 301, 302, 304, 400, 403, 404, 404, 500, 502];
const REFERERS = ['-', '-', 'https://www.google.com/', 'https://example.org/page?ref=nav', 'https://news.ycombinator.com/item?id=1'];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'curl/8.5.0', 'Go-http-client/2.0', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TWO_HOURS = 7200;

/** mulberry32: tiny, fast and deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface W1Options {
  lines: number;
  /** Epoch seconds of the first line; the last is two hours later. */
  startSec: number;
  seed?: number;
}

export function* w1Lines(options: W1Options): Generator<string> {
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  for (let i = 0; i < options.lines; i++) {
    const sec = options.startSec + Math.floor((i * TWO_HOURS) / options.lines);
    const d = new Date(sec * 1000);
    const time = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
    const ip = rnd() < 0.15
      ? `2001:db8:${Math.floor(rnd() * 65535).toString(16)}::${Math.floor(rnd() * 65535).toString(16)}`
      : `${1 + Math.floor(rnd() * 223)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
    const query = rnd() < 0.4 ? `?id=${Math.floor(rnd() * 100000)}&page=${Math.floor(rnd() * 50)}&q=term${i % 97}` : '';
    const user = rnd() < 0.05 ? 'alice' : '-';
    yield `${ip} - ${user} [${time}] "${pick(METHODS)} ${pick(PATHS)}${query} HTTP/1.1" ${pick(STATUSES)} ${Math.floor(rnd() * 50000)} "${pick(REFERERS)}" "${pick(AGENTS)}"`;
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Writes W1 to a file in large writes; returns the byte count. */
export async function writeW1(file: string, options: W1Options): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  let pending = '';
  for (const line of w1Lines(options)) {
    pending += `${line}\n`;
    if (pending.length > 1 << 20) {
      bytes += Buffer.byteLength(pending);
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
  }
  bytes += Buffer.byteLength(pending);
  out.end(pending);
  await once(out, 'close');
  return bytes;
}
