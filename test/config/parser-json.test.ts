import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertParseError, attrsOf, EMBED, valueOf } from './parse-helper.ts';

// Cases from Fluentd's test_literal_parser.rb 'array parsing' / 'map parsing' (reference section 1.3).

describe('JSON array values', () => {
  test('re-serialized compact', () => {
    assert.equal(valueOf('[]'), '[]');
    assert.equal(valueOf('[1]'), '[1]');
    assert.equal(valueOf('[1, 2]'), '[1,2]');
    assert.equal(valueOf('[ 1 , 2 ]'), '[1,2]');
    assert.equal(valueOf('[ "a" , "b" ]'), '["a","b"]');
    assert.equal(valueOf('["a\\"b", "\\u00e9\\n", "/", "ü"]'), '["a\\"b","é\\n","/","ü"]');
    assert.equal(valueOf('[true, false, null, [1, [2]], {"a": {}}]'), '[true,false,null,[1,[2]],{"a":{}}]');
  });

  test('numbers as Ruby writes them: integers exact, floats in Float#to_s form', () => {
    assert.equal(valueOf('[1.0, 1.50, 1e2, -0, 12345678901234567890, 1e20, 0.00001]'), '[1.0,1.5,100.0,0,12345678901234567890,1.0e+20,1.0e-05]');
  });

  test('spans lines', () => {
    assert.equal(valueOf('[\n1\n,\n2\n]'), '[1,2]');
    assert.deepEqual(attrsOf('  key ["a",\n"b", "c",\n"d"]\n  k2 v\n'), {
      key: '["a","b","c","d"]',
      k2: 'v',
    });
  });

  test('# comments after elements and after the opening bracket', () => {
    assert.equal(valueOf('[\n "a", # this is a\n "b", # this is b\n "c"  # this is c\n]\n'), '["a","b","c"]');
    assert.equal(valueOf('[ # the list\n 1, 2]'), '[1,2]');
    assert.equal(valueOf('["a#b", "c # d"]'), '["a#b","c # d"]');
  });

  test('// and /* */ comments', () => {
    assert.equal(valueOf('[\n "a", // this is a\n "b", // this is b\n "c"  // this is c\n]\n'), '["a","b","c"]');
    assert.equal(valueOf('[1, /* two */ 2]'), '[1,2]');
  });

  test('a # comment on its own line after a comma is an error, as in Fluentd', () => {
    assertParseError('k [\n "a",\n # note\n "b"\n]', 3, /incomplete JSON array/);
  });

  test('trailing comma is an error at its line', () => {
    assertParseError('k [1,2,]', 1, /incomplete JSON array configuration: trailing comma/);
    assertParseError('k [\n "a", # this is a\n "b", # this is b\n "c", # this is c\n]\n', 5, /trailing comma/);
  });

  test('incomplete JSON is an error', () => {
    assertParseError('k [t', 1, /incomplete JSON array/);
    assertParseError('x y\nk [1,\n2', 2, /incomplete JSON array configuration \(no closing '\]'\)/);
    assertParseError('k ["a\nb"]', 1, /cannot span lines/);
  });

  test('text after the closing bracket is an error', () => {
    assertParseError('k [1] x', 1, /expected end of line/);
    assert.equal(valueOf('[1] # comment'), '[1]');
  });

  test('#{} in strings is interpolated', () => {
    const opts = { ...EMBED, env: { V1: 'test' }, hostname: 'h1' };
    assert.equal(valueOf('["a","#{ENV["V1"]}"]', opts), '["a","test"]');
    assert.equal(valueOf('["a","#{ENV[\'V1\']} #{hostname}"]', opts), '["a","test h1"]');
    assert.equal(valueOf('["a","foo#{worker_id}"]', { ...opts, workerId: '' }), '["a","foo"]');
    assert.equal(valueOf('["a","foo#{worker_id}"]', { ...opts, workerId: '1' }), '["a","foo1"]');
  });

  test('#{use_nil} inside JSON is an error', () => {
    assertParseError('k ["#{use_nil}"]', 1, /cannot be used inside a JSON value/);
  });
});

describe('JSON hash values', () => {
  test('re-serialized compact', () => {
    assert.equal(valueOf('{}'), '{}');
    assert.equal(valueOf('{ "a" : 1 , "b" : 2 }'), '{"a":1,"b":2}');
    assert.equal(valueOf('{\n"a"\n:\n"b"\n,\n"c"\n:\n"d"\n}'), '{"a":"b","c":"d"}');
  });

  test('duplicate keys: the last value wins at the first place', () => {
    assert.equal(valueOf('{"a": 1, "b": 2, "a": 3}'), '{"a":3,"b":2}');
  });

  test('keys keep their order even when numeric', () => {
    assert.equal(valueOf('{"b": 1, "1": 2}'), '{"b":1,"1":2}');
  });

  test('# comments', () => {
    assert.equal(valueOf('{\n "a": 1, # this is a\n "b": 2, # this is b\n "c": 3  # this is c\n}\n'), '{"a":1,"b":2,"c":3}');
  });

  test('interpolation in keys and values; a bare #{} splices raw JSON text', () => {
    const opts = { ...EMBED, env: { V1: 'test', PORT: '8080' } };
    assert.equal(valueOf('{"a":"b","c":"#{ENV["V1"]}"}', opts), '{"a":"b","c":"test"}');
    assert.equal(valueOf('{"a":"b","#{ENV["V1"]}":"d"}', opts), '{"a":"b","test":"d"}');
    assert.equal(valueOf('{"port": #{ENV["PORT"]}}', opts), '{"port":8080}');
  });

  test('a double-quoted JSON text is a string, interpolated by the string rules', () => {
    const opts = { ...EMBED, env: { V1: 'test' } };
    assert.equal(valueOf('"{\\"a\\":\\"b\\",\\"c\\":\\"#{ENV[\'V1\']}\\"}"', opts), '{"a":"b","c":"test"}');
  });

  test('errors', () => {
    assertParseError('k {t', 1, /incomplete JSON hash/);
    assertParseError('k {"a":1,"b":2,}', 1, /trailing comma/);
    assertParseError('k {"a" 1}', 1, /expected ':'/);
  });
});
