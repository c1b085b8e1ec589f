import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileRubyRegex, namedGroups, parseRubyRegexLiteral } from '../../src/regex/ruby-regex.ts';
import { SAMPLES_DIR } from '../helpers/harness.ts';

const lines = (name: string) => readFileSync(`${SAMPLES_DIR}/${name}`, 'utf8').split('\n').filter((l) => l !== '');

// The expressions of the reference (parser_nginx.rb, parser_apache2.rb, parser_syslog.rb).
const NGINX = String.raw`^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)"(?:\s+\"?(?<http_x_forwarded_for>[^\"]*)\"?)?)?$`;
const APACHE2 = String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>(?:[^\"]|\\")*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>(?:[^\"]|\\")*)" "(?<agent>(?:[^\"]|\\")*)")?$`;
const SYSLOG_BODY = String.raw`(?<host>[^ ]*) (?<ident>[^ :\[]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`;

/** The groups that took part, as Fluentd's record holds them (a group that did not participate is absent). */
function captures(re: RegExp, text: string): Record<string, string> | null {
  const m = re.exec(text);
  if (m === null) return null;
  return Object.fromEntries(Object.entries(m.groups ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

test('nginx: every sample line matches with the exact captures', () => {
  const re = compileRubyRegex(NGINX, '');
  const log = lines('access.log');
  assert.deepEqual(captures(re, log[0]!), {
    remote: '203.0.113.7', host: '-', user: '-', time: '16/Apr/2023:10:01:02 +0000', method: 'GET', path: '/', code: '200',
    size: '612', referer: '-', agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0',
  });
  assert.deepEqual(captures(re, log[2]!), {
    remote: '192.0.2.44', host: '-', user: 'alice', time: '16/Apr/2023:10:01:04 +0000', method: 'POST', path: '/api/v1/items?id=7&x=%22',
    code: '201', size: '45', referer: 'https://example.org/page', agent: 'Go-http-client/2.0',
  });
  assert.deepEqual(captures(re, log[3]!)!.method, String.raw`\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03`);
  assert.equal(captures(re, log[3]!)!.path, undefined);
  assert.equal(captures(re, log[4]!)!.remote, '2001:db8::5');
  for (const line of log) assert.notEqual(captures(re, line), null, line);
  const forwarded = captures(re, `${log[1]!} "10.0.0.1, 10.0.0.2"`)!;
  assert.equal(forwarded.http_x_forwarded_for, '10.0.0.1, 10.0.0.2');
  assert.deepEqual(namedGroups(re), ['remote', 'host', 'user', 'time', 'method', 'path', 'code', 'size', 'referer', 'agent', 'http_x_forwarded_for']);
});

test('apache2 and the syslog body expression match the samples', () => {
  const apache = compileRubyRegex(APACHE2, '');
  for (const line of lines('access.log')) assert.notEqual(captures(apache, line), null, line);
  assert.deepEqual(captures(apache, lines('access.log')[1]!), {
    host: '198.51.100.23', user: '-', time: '16/Apr/2023:10:01:03 +0000', method: 'GET', path: '/wp-login.php', code: '404', size: '153',
    referer: '-', agent: 'curl/8.5.0',
  });
  assert.equal(captures(apache, String.raw`1.2.3.4 - - [t] "GET /a\"b HTTP/1.1" 200 1 "-" "x"`)!.path, String.raw`/a\"b`);
  const body = compileRubyRegex(SYSLOG_BODY, '');
  const auth = lines('auth.log').map((l) => l.slice(16)); // after "Apr 16 10:01:02 "
  assert.deepEqual(captures(body, auth[0]!), {
    host: 'web', ident: 'sshd', pid: '1234', message: 'Accepted publickey for deploy from 203.0.113.7 port 51122 ssh2: ED25519 SHA256:q1w2e3r4t5y6u7i8o9p0',
  });
  assert.deepEqual(captures(body, auth[2]!), { host: 'web', ident: 'sudo', message: 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl reload nginx' });
  for (const line of auth) assert.notEqual(captures(body, line), null, line);
});

test("anchors as Ruby's: ^ and $ at every \\n (only \\n), \\A \\z \\Z at the string's ends", () => {
  const t = (src: string, text: string, flags = '') => compileRubyRegex(src, flags).test(text);
  assert.equal(t('^b$', 'a\nb\nc'), true);
  assert.equal(t('^b$', 'a\rb\rc'), false, 'a carriage return is not a line break in Ruby');
  assert.equal(t('a$', 'a\n'), true);
  assert.equal(t('\\Ab', 'a\nb'), false);
  assert.equal(t('\\Aa', 'a\nb'), true);
  assert.equal(t('a\\z', 'a\n'), false);
  assert.equal(t('a\\Z', 'a\n'), true);
  assert.equal(t('a\\Z', 'a\nb'), false);
  assert.equal(t('a.c', 'a\rc'), true, "Ruby's dot takes \\r");
  assert.equal(t('a.c', 'a\nc'), false);
  assert.equal(t('a.c', 'a\nc', 'm'), true);
  assert.equal(t('^a.*z$', 'a\nz', 'm'), true);
});

test('options: i, x, inline (?i) (?i:...) (?m:...) (?x) and (?-i)', () => {
  const t = (src: string, text: string, flags = '') => compileRubyRegex(src, flags).test(text);
  assert.equal(t('ABC', 'abc', 'i'), true);
  assert.equal(t('(a)\\1', 'aA', 'i'), true);
  assert.equal(t('a b # comment\n c [ ]', 'abc ', 'x'), true);
  assert.equal(t('a\\ b', 'a b', 'x'), true);
  assert.equal(t('a(?i)b|c', 'aB'), true);
  assert.equal(t('a(?i)b|c', 'C'), true, '(?i) reaches to the end of its group, past |');
  assert.equal(t('a(?i)b', 'AB'), false);
  assert.equal(t('(?i:x[a-c])y', 'XBy'), true);
  assert.equal(t('(?i:x[a-c])y', 'XBY'), false);
  assert.equal(t('(?m:a.)b', 'a\nb'), true);
  assert.equal(t('(?m:a.)b.', 'a\nb\n'), false);
  assert.equal(t('a(?-i)b', 'Ab', 'i'), true);
  assert.equal(t('a(?-i)b', 'AB', 'i'), false);
  assert.equal(t('(?x) a b', 'ab'), true);
  assert.equal(t('a(?#comment)b', 'ab'), true);
});

test('character sets: \\h, ASCII \\s, POSIX brackets (negated too), nested classes, \\p{...}, escapes', () => {
  const t = (src: string, text: string) => compileRubyRegex(src, '').test(text);
  assert.equal(t('^\\h+$', '09afAF'), true);
  assert.equal(t('\\h', 'g'), false);
  assert.equal(t('^\\H$', 'g'), true);
  assert.equal(t('\\s', '\u00a0'), false, 'Ruby \\s is ASCII whitespace');
  assert.equal(t('^\\S$', '\u00a0'), true);
  assert.equal(t('^[[:alpha:]][[:digit:]]+[[:space:]][[:punct:]]$', 'a12 !'), true);
  assert.equal(t('^[[:^digit:]]+$', 'abc'), true);
  assert.equal(t('[[:^digit:]]', '123'), false);
  assert.equal(t('^[a[0-9]]+$', 'a1a2'), true);
  assert.equal(t('^[\\h_]+$', 'ff_00'), true);
  assert.equal(t('^[\\s\\S]$', '\n'), true);
  assert.equal(t('^\\p{Alpha}+$', 'Ωmega'), true);
  assert.equal(t('^\\p{Han}+$', '漢字'), true);
  assert.equal(t('^\\P{Digit}$', 'x'), true);
  assert.equal(t('^[\\p{Hiragana}a]+$', 'あa'), true);
  assert.equal(t('^a\\/b\\-c\\"d$', 'a/b-c"d'), true);
  assert.equal(t('^\\x41\\u0042\\u{43}$', 'ABC'), true);
  assert.equal(t('^a{,2}$', 'aa'), true);
  assert.equal(t('^a{,2}$', 'aaa'), false);
  assert.equal(t('^x{a}$', 'x{a}'), true);
  assert.equal(t('^\\u0023$', '#'), true);
});

test('named groups: plain parentheses do not capture beside them; \\k<name> and (?\'name\') work', () => {
  const re = compileRubyRegex("(?<a>x)(y)(?'b'z)\\k<a>", '');
  const m = re.exec('xyzx')!;
  assert.deepEqual({ ...m.groups }, { a: 'x', b: 'z' });
  assert.equal(m.length, 3, 'only the named groups capture');
  assert.deepEqual(namedGroups(re), ['a', 'b']);
  assert.equal(compileRubyRegex('(a)(b)\\2\\1', '').test('abba'), true);
});

test('constructs without an exact JavaScript equivalent are refused, naming the construct and position', () => {
  const refused: Array<[string, RegExp]> = [
    ['a++', /possessive.*position 1/], ['a*+', /possessive/], ['a?+', /possessive/], ['(?>a)', /atomic.*position 0/],
    ['x\\Ka', /\\K at position 1/], ['\\Ga', /\\G/], ['(?(1)a|b)', /conditional/], ['(?<n>a)(?<n>b)', /duplicate group name 'n'/],
    ['(?<n>a)\\g<n>', /\\g/], ['(?<n>a)\\1', /numbered backreference/], ['(?~abc)', /absent/], ['[a&&b]', /intersection/],
    ['[a[^b]]', /negated nested/], ['a{2}+', /after \{n,m\}/], ['\\p{NoSuchProperty}', /property/], ['(a)(?i:\\1)', /backreference.*\(\?i\)/],
    ['(?u)a', /group/], ['\\R', /\\R/], ['\\X', /\\X/], ['(a', /unterminated group/], ['a)', /unmatched/], ['(a)\\12', /multi-digit/], ['[[:foo:]]', /bracket expression/],
  ];
  for (const [source, message] of refused) assert.throws(() => compileRubyRegex(source, ''), message, source);
  assert.throws(() => compileRubyRegex('a', 'o'), /option 'o'/);
});

test('regexp literals /.../imx', () => {
  assert.deepEqual(parseRubyRegexLiteral('/a.b/im'), { source: 'a.b', flags: 'im' });
  assert.deepEqual(parseRubyRegexLiteral('/^\\/var\\/log\\/.*$/'), { source: '^\\/var\\/log\\/.*$', flags: '' });
  assert.deepEqual(parseRubyRegexLiteral('plain'), { source: 'plain', flags: '' });
  const { source, flags } = parseRubyRegexLiteral('/^\\/var\\/log\\/.*$/');
  assert.equal(compileRubyRegex(source, flags).test('/var/log/syslog'), true);
});
