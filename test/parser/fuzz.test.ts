import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventBatch } from '../../src/event/event-batch.ts';
import { buildParser, sectionFromParams } from '../../src/engine/standalone.ts';
import { ParserError } from '../../src/plugin-api/errors.ts';
import { memoryLogger } from '../helpers/harness.ts';

const SAMPLES = fileURLToPath(new URL('../../conf/demo', import.meta.url));
const seeds = ['access.log', 'auth.log', 'auth-iso.log', 'netstat-tulpn.txt', 'ss-tulpn.txt']
  .flatMap((f) => readFileSync(`${SAMPLES}/${f}`, 'utf8').split('\n'))
  .concat(['{"a":1,"time":"2024-01-01"}', '[{"x":1},2]', 'a:1\tb:2', 'x,"y""z",', '<16>1 2017-02-06T13:14:15.003Z h i p m - msg']);

const PARSERS: Array<[string, Record<string, string>]> = [
  ['nginx', {}], ['apache2', {}], ['apache', {}], ['apache_error', {}], ['syslog', {}],
  ['syslog', { message_format: 'auto', with_priority: 'true' }], ['json', {}], ['ltsv', {}],
  ['csv', { keys: 'a,b,c' }], ['tsv', { keys: 'a,b,c' }], ['none', {}], ['netstat', {}],
  ['regexp', { expression: '/^(?<a>\\w+) (?<time>\\S+)$/', time_format: '%Y-%m-%d' }],
  ['multiline', { format1: '/(?<message>.+)/' }],
];

/** Deterministic random lines: mutations of real ones (flip, cut, splice, insert bytes) and pure noise. */
function* fuzzLines(count: number): Generator<string> {
  let state = 42;
  const rnd = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
  const alphabet = ' \t"[]{}<>:,\\/-%#$\u00e9\u2028\ud83d\ude00\u0000abcXYZ0123456789';
  for (let i = 0; i < count; i++) {
    let line = seeds[Math.floor(rnd() * seeds.length)]!;
    const ops = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < ops; k++) {
      const at = Math.floor(rnd() * (line.length + 1));
      const op = rnd();
      if (op < 0.3) line = line.slice(0, at) + alphabet[Math.floor(rnd() * alphabet.length)] + line.slice(at + 1);
      else if (op < 0.5) line = line.slice(0, at);
      else if (op < 0.7) line = line.slice(at);
      else if (op < 0.9) line = line.slice(0, at) + seeds[Math.floor(rnd() * seeds.length)]!.slice(0, 20) + line.slice(at);
      else line = Array.from({ length: Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    }
    yield line;
  }
}

test('every parser survives 100,000 random and mutated lines: it matches, declines, or raises ParserError', async () => {
  const { log } = memoryLogger('fatal');
  for (const [type, params] of PARSERS) {
    const parser = await buildParser(sectionFromParams('parse', type, params), { log });
    let batch = new EventBatch();
    let outcomes = 0;
    for (const line of fuzzLines(100_000)) {
      try {
        parser.parse(line, batch);
      } catch (err) {
        assert.ok(err instanceof ParserError, `${type} threw ${(err as Error).name}: ${(err as Error).message} on ${JSON.stringify(line)}`);
      }
      outcomes++;
      if (batch.length > 1000) batch = new EventBatch();
    }
    assert.equal(outcomes, 100_000);
  }
});
