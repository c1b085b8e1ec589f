/**
 * Time parse/format rates: the nginx time format (%d/%b/%Y:%H:%M:%S %z) over texts that repeat per second as log
 * timestamps do, over all-distinct texts (no cache hits), a fractional ISO format, and strftime per event.
 * Run: node --import tsx bench/time.bench.ts
 */
import { compileStrftime } from '../src/time/strftime.ts';
import { compileStrptime } from '../src/time/strptime.ts';
import { resolveZone } from '../src/time/zone.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');
const nginxText = (t: number) => {
  const d = new Date(t * 1000);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
};

function rate(label: string, n: number, run: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(n, 50_000); i++) run(i); // warm up
  const start = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += run(i) === null ? 1 : 0;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(58)} ${Math.round(n / seconds).toLocaleString('en-US').padStart(12)} /s${sink ? ` (${sink} failed)` : ''}`);
}

const utc = resolveZone('UTC');
const base = Date.UTC(2023, 3, 16, 10) / 1000;
const N = 1_000_000;
const repeating = Array.from({ length: N }, (_, i) => nginxText(base + Math.floor(i / 20))); // 20 lines per second
const distinct = Array.from({ length: N }, (_, i) => nginxText(base + i));
const iso = Array.from({ length: N }, (_, i) => `2023-04-16T10:${two(Math.floor(i / 60000) % 60)}:${two(Math.floor(i / 1000) % 60)}.${String(i % 1000).padStart(3, '0')}456+00:00`);

const nginx = compileStrptime('%d/%b/%Y:%H:%M:%S %z', { zone: utc });
rate('strptime nginx, 20 lines per second', N, (i) => nginx(repeating[i]!));
const nginx2 = compileStrptime('%d/%b/%Y:%H:%M:%S %z', { zone: utc });
rate('strptime nginx, every text distinct (no cache hit)', N, (i) => nginx2(distinct[i]!));
const isoParser = compileStrptime('%Y-%m-%dT%H:%M:%S.%N%z', { zone: utc });
rate('strptime %Y-%m-%dT%H:%M:%S.%N%z, new fraction per line', N, (i) => isoParser(iso[i]!));
const tokyo = compileStrptime('%Y-%m-%d %H:%M:%S', { zone: resolveZone('Asia/Tokyo') });
const local = distinct.map((_, i) => `2023-04-16 ${two(Math.floor(i / 3600) % 24)}:${two(Math.floor(i / 60) % 60)}:${two(i % 60)}`);
rate('strptime zone-less in Asia/Tokyo, distinct', N, (i) => tokyo(local[i]!));
const strftime = compileStrftime('%Y-%m-%dT%H:%M:%S.%L%z', resolveZone('America/New_York'));
rate('strftime %Y-%m-%dT%H:%M:%S.%L%z America/New_York, 20/s', N, (i) => strftime(base + Math.floor(i / 20), i * 1000));
