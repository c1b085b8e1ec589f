import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertParseError, attrsOf, parse, valueOf } from './parse-helper.ts';

// Cases from Fluentd's test/config/test_config_parser.rb and test_literal_parser.rb (reference section 1.1, 1.3).

describe('parameters', () => {
  test('key value lines; a key alone (or at end of file) gets ""', () => {
    assert.deepEqual(attrsOf('\n  k1 v1\n  k2 v2\n'), { k1: 'v1', k2: 'v2' });
    assert.deepEqual(attrsOf('k1\nk2 v2'), { k1: '', k2: 'v2' });
    assert.deepEqual(attrsOf('k1\n'), { k1: '' });
    assert.deepEqual(attrsOf('k1'), { k1: '' });
    assert.deepEqual(attrsOf('k1   \n'), { k1: '' });
  });

  test('keys are always strings', () => {
    assert.deepEqual(attrsOf('1 1'), { '1': '1' });
  });

  test('spaces around a value are dropped, spaces inside are kept', () => {
    assert.deepEqual(attrsOf('  k1     a    '), { k1: 'a' });
    assert.deepEqual(attrsOf('k1 a  b  c'), { k1: 'a  b  c' });
  });

  test('values with symbols stay as written', () => {
    for (const v of ['_.%$!,', '/=~-~@`:?', '()*{}.[]', 't{', '}t', 't[', ']t', 't>', 't<', '@1t', ',1t']) {
      assert.equal(valueOf(v), v);
    }
  });

  test('numbers and keywords stay strings', () => {
    for (const v of ['0', '-1', '01', '0x61', '0s', '1.10', '12e8', '.0', '1.', 'NaN', '-Infinity', 'true', 'trueX']) {
      assert.equal(valueOf(v), v);
    }
  });

  test('the last of a duplicated key wins, with its location', () => {
    const root = parse('k v1\nother x\nk v2\n');
    assert.deepEqual({ ...root.attrs }, { k: 'v2', other: 'x' });
    assert.deepEqual(root.attrLocations.k, { file: '(test)', line: 3 });
    assert.deepEqual(root.attrLocations.other, { file: '(test)', line: 2 });
  });

  test('a key such as __proto__ is an ordinary parameter', () => {
    const root = parse('<source>\n  @type x\n  __proto__ polluted\n</source>');
    assert.equal(Object.getOwnPropertyDescriptor(root.elements[0]!.attrs, '__proto__')?.value, 'polluted');
    assert.equal(Object.getPrototypeOf(root.elements[0]!.attrs), Object.prototype);
  });

  test('quoted keys', () => {
    assert.deepEqual(attrsOf('"a key" v\n\'k2\' w'), { 'a key': 'v', k2: 'w' });
  });
});

describe('comments', () => {
  test('# starts a comment only at line start or after whitespace', () => {
    assert.deepEqual(attrsOf('# comment\nk1 v1 # trailing\n  # indented\nk2 a#b\n'), { k1: 'v1', k2: 'a#b' });
    assert.equal(valueOf('#not_comment'), '#not_comment');
    assert.equal(valueOf('a#not_comment'), 'a#not_comment');
    assert.equal(valueOf('a #comment'), 'a');
    assert.equal(valueOf('foo\t#bar'), 'foo');
  });

  test('a value that is only a comment reaches the plugin as text (Fluentd: the bool type reads it as true)', () => {
    assert.equal(valueOf('# comment'), '# comment');
  });
});

describe('unquoted values', () => {
  test('backslashes are literal', () => {
    assert.equal(valueOf('\\\\'), '\\\\');
    assert.equal(valueOf('\\'), '\\');
    assert.equal(valueOf('\\['), '\\[');
    assert.equal(valueOf('\\n'), '\\n');
    assert.equal(valueOf('\\z'), '\\z');
  });

  test('#{...} is not interpolated', () => {
    assert.equal(valueOf('#{test}'), '#{test}');
    assert.equal(valueOf('a#{ENV["X"]}'), 'a#{ENV["X"]}');
  });

  test('a quote inside or at the end is data', () => {
    assert.equal(valueOf('t"'), 't"');
    assert.equal(valueOf("t'"), "t'");
  });

  test('CRLF line endings', () => {
    assert.deepEqual(attrsOf('k1 v1\r\nk2 v2\r\n'), { k1: 'v1', k2: 'v2' });
  });
});

describe('double-quoted values', () => {
  test('escapes \\" \\\' \\\\ \\r \\n \\t \\f \\b \\0', () => {
    assert.equal(valueOf('""'), '');
    assert.equal(valueOf('"text"'), 'text');
    assert.equal(valueOf('"\\""'), '"');
    assert.equal(valueOf(`"\\'"`), "'");
    assert.equal(valueOf('"\\\\"'), '\\');
    assert.equal(valueOf('"\\r\\n"'), '\r\n');
    assert.equal(valueOf('"\\t"'), '\t');
    assert.equal(valueOf('"\\f\\b"'), '\f\b');
    assert.equal(valueOf('"\\0"'), '\0');
  });

  test('a backslash before another symbol is dropped', () => {
    assert.equal(valueOf('"\\["'), '[');
    assert.equal(valueOf('"\\.t"'), '.t');
    assert.equal(valueOf('"\\$t"'), '$t');
    assert.equal(valueOf('"\\#t"'), '#t');
    assert.equal(valueOf('"\\#{test}"'), '#{test}');
  });

  test('a backslash before a letter or digit outside the list is an error', () => {
    assertParseError('k "\\z"', 1, /unexpected back-slash escape character 'z'/);
    assertParseError('k "\\1"', 1, /unexpected back-slash escape character '1'/);
    assertParseError('a b\nk "x\\q"', 2, /back-slash/);
  });

  test('# inside quotes is data', () => {
    assert.equal(valueOf('"a#comment"'), 'a#comment');
    assert.equal(valueOf('"a #comment"'), 'a #comment');
  });

  test('text after the closing quote is an error; a comment is not', () => {
    assertParseError('k1 "a" 1', 1, /expected end of line/);
    assertParseError('x y\n  k1 """', 2, /expected end of line/);
    assertParseError('  k1 ""\'', 1, /expected end of line/);
    assert.equal(valueOf('"a" # comment'), 'a');
  });

  test('unterminated is an error at the line where the string opened', () => {
    assertParseError('k "t', 1, /unexpected end of file in a double quoted string/);
    assertParseError('k1 "\\"', 1, /unexpected end of file/);
    assertParseError('a b\nk "a\nb\nc', 2, /unexpected end of file/);
  });

  test('raw line breaks are kept; backslash-newline joins lines', () => {
    assert.equal(valueOf('"line1\n           line2"'), 'line1\n           line2');
    assert.equal(valueOf('"line1\\\n           line2"'), 'line1           line2');
    assert.equal(valueOf('"line1\n  line2\n  line3"'), 'line1\n  line2\n  line3');
    assert.equal(valueOf('"line1\n  line2\\\n  line3"'), 'line1\n  line2  line3');
    assert.equal(valueOf('"t\\\nt"'), 'tt');
    assert.deepEqual(attrsOf('k1 "a\nb"\nk2 c'), { k1: 'a\nb', k2: 'c' });
  });
});

describe('single-quoted values', () => {
  test("only \\' and \\\\ are escapes", () => {
    assert.equal(valueOf("''"), '');
    assert.equal(valueOf("'text'"), 'text');
    assert.equal(valueOf("'\\''"), "'");
    assert.equal(valueOf("'\\\\'"), '\\');
    assert.equal(valueOf("'\\n'"), '\\n');
    assert.equal(valueOf("'\\z'"), '\\z');
    assert.equal(valueOf("'\\['"), '\\[');
    assert.equal(valueOf("'a#comment'"), 'a#comment');
  });

  test('no interpolation', () => {
    assert.equal(valueOf("'#{ENV[\"X\"]}'"), '#{ENV["X"]}');
    assert.equal(valueOf(`'{"a":"b","c":"#{v1}"}'`), '{"a":"b","c":"#{v1}"}');
  });

  test('unterminated or followed by text is an error', () => {
    assertParseError("k 't", 1, /single quoted string/);
    assertParseError("k '\\'", 1, /single quoted string/);
    assertParseError("k1 'a' 1", 1, /expected end of line/);
    assertParseError("k1 '''", 1, /expected end of line/);
  });
});
