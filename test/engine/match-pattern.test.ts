import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTagPattern } from '../../src/engine/match-pattern.ts';

// Cases from the behaviour of Fluentd's lib/fluent/match.rb (reference section 1.6).
const cases: Array<[pattern: string, matching: string[], notMatching: string[]]> = [
  ['a', ['a'], ['b', 'aa', 'a.b']],
  ['a.b', ['a.b'], ['a', 'a.c', 'a.b.c']],
  ['a.*', ['a.b', 'a.c'], ['a', 'a.b.c', 'ab.c']],
  ['*.b', ['a.b', 'c.b'], ['b', 'a.c.b']],
  ['a.**', ['a', 'a.b', 'a.b.c'], ['ab', 'b.a']],
  ['**.a', ['a', 'x.a', 'x.y.a'], ['ba', 'a.x']],
  ['a.**.z', ['a.z', 'a.b.z', 'a.b.c.z'], ['a.zz', 'az']],
  ['**', ['a', 'a.b', ''], []],
  ['{a,b}', ['a', 'b'], ['c', 'ab']],
  ['a.{b,c}', ['a.b', 'a.c'], ['a.d', 'a.bc']],
  ['a.{b.**,c}', ['a.b', 'a.b.x.y', 'a.c'], ['a.c.x', 'a.d']],
  ['a.b c.d', ['a.b', 'c.d'], ['a.d', 'c.b']],
  ['a\\.b', ['a.b'], ['axb']],
  ['a+b', ['a+b'], ['aab']],
  ['/a\\.(b|c)/', ['a.b', 'a.c'], ['a.d', 'xa.b', 'a.bx']],
  ['', ['anything', 'x.y'], []],
];

for (const [pattern, matching, notMatching] of cases) {
  test(`tag pattern ${JSON.stringify(pattern)}`, () => {
    const matches = compileTagPattern(pattern);
    for (const tag of matching) assert.equal(matches(tag), true, `${pattern} should match ${tag}`);
    for (const tag of notMatching) assert.equal(matches(tag), false, `${pattern} should not match ${tag}`);
  });
}
