import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileRubyRegex, namedGroups, parseRubyRegexLiteral } from '../../src/regex/ruby-regex.ts';
import { fileURLToPath } from 'node:url';

const SAMPLES_DIR = fileURLToPath(new URL('../../conf/demo', import.meta.url));

const NGINX = String.raw`^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)"(?:\s+\"?(?<http_x_forwarded_for>[^\"]*)\"?)?)?$`;

test('the nginx expression matches the sample lines with the exact captures', () => {
  const re = compileRubyRegex(NGINX, '');
  const lines = readFileSync(`${SAMPLES_DIR}/access.log`, 'utf8').trim().split('\n');
  const first = re.exec(lines[0]!)!.groups!;
  assert.equal(first.remote, '203.0.113.7');
  assert.equal(first.path, '/');
  assert.equal(first.agent, 'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0');
  assert.equal(first.http_x_forwarded_for, undefined);
  for (const line of lines) assert.ok(re.test(line), line);
  assert.deepEqual(namedGroups(re).slice(0, 3), ['remote', 'host', 'user']);
});

test("anchors behave as Ruby's: ^/$ are line anchors, \\A \\z \\Z are string anchors", () => {
  assert.equal(compileRubyRegex('^b$', '').test('a\nb\nc'), true);
  assert.equal(compileRubyRegex('\\Ab', '').test('a\nb'), false);
  assert.equal(compileRubyRegex('a\\z', '').test('a\n'), false);
  assert.equal(compileRubyRegex('a\\Z', '').test('a\n'), true);
  assert.equal(compileRubyRegex('a\\Z', '').test('a\nb'), false);
});

test('options: m is dot-all, i ignores case, x drops whitespace and comments; \\h and POSIX classes', () => {
  assert.equal(compileRubyRegex('a.b', 'm').test('a\nb'), true);
  assert.equal(compileRubyRegex('a.b', '').test('a\nb'), false);
  assert.equal(compileRubyRegex('ABC', 'i').test('abc'), true);
  assert.equal(compileRubyRegex('a b # comment\n c', 'x').test('abc'), true);
  assert.equal(compileRubyRegex('^\\h+$', '').test('09afAF'), true);
  assert.equal(compileRubyRegex('^[[:alpha:]][[:digit:]]+$', '').test('a12'), true);
  assert.deepEqual(parseRubyRegexLiteral('/a.b/im'), { source: 'a.b', flags: 'im' });
  assert.deepEqual(parseRubyRegexLiteral('plain'), { source: 'plain', flags: '' });
});

test('constructs without an exact JavaScript equivalent are refused by name', () => {
  for (const [source, construct] of [['a++', 'possessive'], ['(?>a)', 'atomic'], ['(?i)a', 'inline options'], ['\\Ka', '\\K'], ['\\p{Alpha}', 'property'], ['\\Ga', '\\G']]) {
    assert.throws(() => compileRubyRegex(source!, ''), new RegExp(construct!.replace(/[\\]/g, '\\\\')), source);
  }
});
