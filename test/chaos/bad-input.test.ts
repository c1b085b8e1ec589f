/**
 * Bad input: mutated lines through every parser (a million each in the full run), and mutated configs through what
 * --dry-run does (10,000 in the full run). A parser may match or not, or throw a ParserError; anything else is a
 * crash. A config may be valid or not; every error it gets must name the file and line. The PRNG is seeded and the
 * seed printed, so a failure can be replayed with CHAOS_SEED.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseConfigFile } from '../../src/config/parser.ts';
import { Engine } from '../../src/engine/engine.ts';
import { buildParser, sectionFromParams } from '../../src/engine/standalone.ts';
import { EventBatch } from '../../src/event/event-batch.ts';
import { ParserError } from '../../src/plugin-api/errors.ts';
import { memoryLogger, REPO_ROOT, SAMPLES_DIR, tempDir } from '../helpers/harness.ts';
import { FULL } from './chaos-kit.ts';

const LINES_PER_PARSER = FULL ? 1_000_000 : 20_000;
const CONFIGS = FULL ? 10_000 : 400;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 2 ** 31);

const tmp = tempDir('logferry-chaos-badinput-');
after(() => tmp.cleanup());

/** mulberry32: small, seeded, good enough to pick mutations. */
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

const SPECIAL = ['"', '\\', '[', ']', '{', '}', '<', '>', '\t', ' ', ':', ',', '=', '-', '\u0000', '\u00ff', '\ud800', '\u20ac', '🦀', '%', '#{', '\r', '/'];

function mutate(text: string, random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  let out = text;
  for (let k = 1 + pick(3); k > 0; k--) {
    const at = pick(out.length + 1);
    switch (pick(7)) {
      case 0: out = out.slice(0, at) + SPECIAL[pick(SPECIAL.length)]! + out.slice(at + 1); break;
      case 1: out = out.slice(0, at) + out.slice(at + 1 + pick(20)); break;
      case 2: out = out.slice(0, at) + out.slice(pick(out.length), pick(out.length)) + out.slice(at); break;
      case 3: out = out.slice(0, at); break;
      case 4: out = out.slice(0, at) + String.fromCharCode(pick(0x10000)) + out.slice(at); break;
      case 5: out = out.slice(0, at) + SPECIAL[pick(SPECIAL.length)]!.repeat(1 + pick(5)) + out.slice(at); break;
      default: if (random() < 0.01) out = out.repeat(200); break;
    }
  }
  return out;
}

const sample = (name: string) => readFileSync(path.join(SAMPLES_DIR, name), 'utf8').split('\n').filter(Boolean);
const PARSERS: Array<{ type: string; params?: Record<string, string>; seeds: string[] }> = [
  { type: 'nginx', seeds: sample('access.log') },
  { type: 'apache2', seeds: sample('access.log') },
  { type: 'apache', seeds: sample('access.log') },
  { type: 'apache_error', seeds: ['[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test'] },
  { type: 'syslog', seeds: sample('auth.log') },
  { type: 'syslog', params: { message_format: 'auto' }, seeds: [...sample('auth-iso.log'), '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM\'su root\' failed'] },
  { type: 'syslog', params: { message_format: 'rfc5424', with_priority: 'true' }, seeds: ['<165>1 2017-02-06T13:14:15.003Z 192.0.2.1 myproc 8710 - [exampleSDID@32473 iut="3"] %% message'] },
  { type: 'json', seeds: ['{"time":1700000000,"a":"b","n":1.5,"o":{"x":[1,2,null]},"t":true}', '[{"a":1},{"b":2}]'] },
  { type: 'ltsv', seeds: ['time:2017-03-01T00:00:00Z\thost:127.0.0.1\treq:GET / HTTP/1.1\tstatus:200'] },
  { type: 'csv', params: { keys: 'time,host,msg' }, seeds: ['2017-03-01,"host, a",hello', '"a""b",c,d'] },
  { type: 'tsv', params: { keys: 'a,b,c' }, seeds: ['1\t2\t3'] },
  { type: 'regexp', params: { expression: '/^(?<host>[^ ]*) (?<code>\\d+) (?<rest>.*)$/', types: 'code:integer' }, seeds: ['h 200 ok', 'x 1 y z'] },
  { type: 'none', seeds: sample('auth.log') },
];

test(`${LINES_PER_PARSER} mutated lines through each of ${PARSERS.length} parsers: matched, unmatched or a ParserError, never a crash`, { timeout: FULL ? 1_200_000 : 60_000 }, async (t) => {
  const random = prng(SEED);
  const { log } = memoryLogger('error');
  const crashes: string[] = [];
  for (const { type, params, seeds } of PARSERS) {
    const parser = await buildParser(sectionFromParams('parse', type, params ?? {}), { log });
    let matched = 0;
    for (let i = 0; i < LINES_PER_PARSER; i++) {
      const line = mutate(seeds[i % seeds.length]!, random);
      const batch = new EventBatch();
      try {
        if (parser.parse(line, batch)) matched++;
      } catch (err) {
        if (!(err instanceof ParserError) && crashes.length < 10) crashes.push(`${type}: ${(err as Error).stack?.split('\n').slice(0, 3).join(' ')} on ${JSON.stringify(line.slice(0, 200))}`);
      }
      for (let e = 0; e < batch.length; e++) {
        if (typeof batch.secs[e] !== 'number' || batch.records[e] === null || typeof batch.records[e] !== 'object') {
          if (crashes.length < 10) crashes.push(`${type}: a bad event from ${JSON.stringify(line.slice(0, 200))}`);
        }
      }
    }
    t.diagnostic(`${type}${params ? ` ${JSON.stringify(params)}` : ''}: ${matched} of ${LINES_PER_PARSER} mutated lines matched`);
  }
  t.diagnostic(`seed ${SEED}`);
  assert.deepEqual(crashes, [], `parsers crashed (replay with CHAOS_SEED=${SEED})`);
});

test(`${CONFIGS} mutated configs through --dry-run's checks: valid, or errors that each name file:line`, { timeout: FULL ? 1_200_000 : 60_000 }, async (t) => {
  const random = prng(SEED + 1);
  const pick = (n: number) => Math.floor(random() * n);
  const seedDir = path.join(tmp.dir, 'seed');
  cpSync(path.join(REPO_ROOT, 'conf'), seedDir, { recursive: true });
  const candidates = [...readdirSync(seedDir).filter((f) => f.endsWith('.conf')), ...readdirSync(path.join(seedDir, 'seed', 'config.d')).map((f) => `seed/config.d/${f}`)];
  const originals = new Map(candidates.map((f) => [f, readFileSync(path.join(seedDir, f), 'utf8')]));
  const bad: string[] = [];
  let valid = 0;
  for (let i = 0; i < CONFIGS; i++) {
    const name = candidates[pick(candidates.length)]!;
    const lines = originals.get(name)!.split('\n');
    for (let k = 1 + pick(3); k > 0; k--) {
      const at = pick(lines.length);
      switch (pick(5)) {
        case 0: lines.splice(at, 1); break;
        case 1: lines.splice(at, 0, lines[pick(lines.length)]!); break;
        case 2: lines[at] = mutate(lines[at]!, random); break;
        case 3: lines.splice(at, 0, ['<source>', '</match>', '<buffer>', '@type nope', 'flush_interval abc', 'path', '"#{ENV[', '<match **>', '</>'][pick(9)]!); break;
        default: lines[at] = lines[at]!.replace(/ \S+$/, ` ${SPECIAL[pick(SPECIAL.length)]}`); break;
      }
    }
    const file = path.join(seedDir, name);
    writeFileSync(file, lines.join('\n'));
    const { log } = memoryLogger('error');
    const top = name.startsWith('seed/') ? path.join(seedDir, 'seed', 'td-agent.conf') : file;
    try {
      const engine = await Engine.build(parseConfigFile(top), { pluginDirs: [], log });
      valid++;
      void engine;
    } catch (err) {
      const errors = (err as { errors?: Error[] }).errors ?? [err as Error];
      for (const e of errors) {
        if (!/\.conf:\d+/.test(e.message) && bad.length < 10) bad.push(`${name} (${e.name}): ${e.message.slice(0, 300)}`);
      }
    } finally {
      writeFileSync(file, originals.get(name)!);
    }
  }
  t.diagnostic(`${valid} of ${CONFIGS} mutated configs were still valid; seed ${SEED + 1}`);
  assert.deepEqual(bad, [], `config errors without file:line (replay with CHAOS_SEED=${SEED})`);
});
