import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toArray, toBool, toEnum, toFloat, toHash, toInteger, toRegexpSource, toSize, toStringValue, toTime } from '../../src/config/types.ts';

// Cases from Fluentd's test/config/test_types.rb (reference section 1.5). Where Fluentd silently turns garbage
// into 0 or nil, logferry throws.

describe('config value types', () => {
  test('string is as-is', () => {
    for (const v of ['test', '1', '   ', 'Märch', 'あいうえお']) assert.equal(toStringValue(v), v);
  });

  test('integer', () => {
    assert.equal(toInteger('1'), 1);
    assert.equal(toInteger('1.0'), 1);
    assert.equal(toInteger('1.9'), 1);
    assert.equal(toInteger('1_000'), 1000);
    assert.equal(toInteger('-42'), -42);
    assert.equal(toInteger(' 7 '), 7);
    assert.equal(toInteger('010'), 10);
    for (const bad of ['hoge', '', '1x', '0x10', '1e3', '1__0', '_1']) {
      assert.throws(() => toInteger(bad), { message: `invalid integer ${JSON.stringify(bad)}` });
    }
  });

  test('float', () => {
    assert.equal(toFloat('1'), 1);
    assert.equal(toFloat('1.0'), 1);
    assert.equal(toFloat('1.00'), 1);
    assert.equal(toFloat('1e0'), 1);
    assert.equal(toFloat('0.4'), 0.4);
    assert.equal(toFloat('-2.5e-3'), -0.0025);
    assert.equal(toFloat('.5'), 0.5);
    assert.equal(toFloat('1_000.5'), 1000.5);
    for (const bad of ['hoge', '', '1.5x', 'NaN', 'Infinity']) {
      assert.throws(() => toFloat(bad), { message: `invalid float ${JSON.stringify(bad)}` });
    }
  });

  test('size: k m g t, case-insensitive, powers of 1024, first unit anywhere', () => {
    const cases: Array<[string, number]> = [
      ['2k', 2048],
      ['2K', 2048],
      ['3m', 3145728],
      ['3M', 3145728],
      ['4g', 4294967296],
      ['4G', 4294967296],
      ['5t', 5497558138880],
      ['5T', 5497558138880],
      ['6', 6],
      ['1000', 1000],
      ['8MB', 8388608],
      ['256kb', 262144],
      ['1m2k', 2048], // k is tested before m
      ['1.5m', 5242880], // unanchored: `5m`
    ];
    for (const [v, expected] of cases) assert.equal(toSize(v), expected, v);
    assert.throws(() => toSize('hoge'), /invalid integer "hoge"/);
    assert.throws(() => toSize(''), /invalid integer ""/);
  });

  test('time: s m h d, case-sensitive, first unit anywhere, else float seconds', () => {
    const cases: Array<[string, number]> = [
      ['10s', 10],
      ['10sec', 10],
      ['2m', 120],
      ['3h', 10800],
      ['4d', 345600],
      ['0', 0],
      ['1', 1],
      ['1.01', 1.01],
      ['1.5', 1.5],
      ['0.4', 0.4],
      ['10ms', 600], // no digit before the s; `10m` matches
    ];
    for (const [v, expected] of cases) assert.equal(toTime(v), expected, v);
    assert.throws(() => toTime('10S'), /invalid float "10S"/);
    assert.throws(() => toTime('hoge'), /invalid float "hoge"/);
    assert.throws(() => toTime(''), /invalid float ""/);
  });

  test('bool', () => {
    assert.equal(toBool('true'), true);
    assert.equal(toBool('yes'), true);
    assert.equal(toBool(''), true);
    assert.equal(toBool('# a comment'), true);
    assert.equal(toBool('false'), false);
    assert.equal(toBool('no'), false);
    for (const bad of ['TRUE', 'True', 'Yes', 'No', 'unexpected_string', '1']) {
      assert.throws(() => toBool(bad), { message: `invalid bool value ${JSON.stringify(bad)} (use true, false, yes or no)` });
    }
  });

  test('enum', () => {
    assert.equal(toEnum('val', ['val', 'value', 'v']), 'val');
    assert.equal(toEnum('v', ['val', 'value', 'v']), 'v');
    assert.throws(() => toEnum('x', ['val', 'value', 'v']), { message: 'valid options are val,value,v but got x' });
  });

  test('array', () => {
    assert.deepEqual(toArray('["1","2",1]'), ['1', '2', 1]);
    assert.deepEqual(toArray('1,2,1'), ['1', '2', '1']);
    assert.deepEqual(toArray('a, b, c'), ['a', 'b', 'c']);
    assert.deepEqual(toArray('a , b , c'), ['a', 'b', 'c']);
    assert.deepEqual(toArray(' a,b '), ['a', 'b']);
    assert.deepEqual(toArray('["a a","b,b"," c "]'), ['a a', 'b,b', ' c ']);
    assert.deepEqual(toArray('a a,b,c'), ['a a', 'b', 'c']);
    assert.deepEqual(toArray('a,b,,'), ['a', 'b']); // Ruby's split drops trailing empty fields
    assert.deepEqual(toArray(',a'), ['', 'a']);
    assert.deepEqual(toArray(''), []);
    assert.deepEqual(toArray('[1,2,1]'), [1, 2, 1]);
    assert.deepEqual(toArray('["1","2","1"]', 'integer'), [1, 2, 1]);
    assert.deepEqual(toArray('1,2,1', 'integer'), [1, 2, 1]);
    assert.deepEqual(toArray('[1,"2"]', 'string'), ['1', '2']);
    assert.deepEqual(toArray('1s,2m', 'time'), [1, 120]);
    assert.throws(() => toArray('[{"a":1}]', 'integer'), /cannot convert/);
    assert.throws(() => toArray('[1,'), /invalid JSON array/);
    assert.throws(() => toArray('a,x', 'integer'), /invalid integer "a"/);
  });

  test('hash', () => {
    assert.deepEqual(toHash('{"x":"v","k":1}'), { x: 'v', k: 1 });
    assert.deepEqual(toHash('x:v,k:1'), { x: 'v', k: '1' });
    assert.deepEqual(toHash('x:v, k:1'), { x: 'v', k: '1' });
    assert.deepEqual(toHash(' x:v, k:1 '), { x: 'v', k: '1' });
    assert.deepEqual(toHash('x:v , k:1 '), { x: 'v', k: '1' });
    assert.deepEqual(toHash('x:v:v, k:1'), { x: 'v:v', k: '1' });
    assert.deepEqual(toHash('a : b'), { 'a ': ' b' });
    assert.deepEqual(toHash('k:'), { k: '' });
    assert.deepEqual(toHash('x:v,k:1', 'string'), { x: 'v', k: '1' });
    assert.deepEqual(toHash('{"x":"v","k":1}', 'string'), { x: 'v', k: '1' });
    assert.deepEqual(toHash('x:0,k:1', 'integer'), { x: 0, k: 1 });
    assert.deepEqual(toHash('{"x":"1s","y":"1m","z":"1h"}', 'time'), { x: 1, y: 60, z: 3600 });
    assert.deepEqual(toHash('x:1s,y:1m,z:1h', 'time'), { x: 1, y: 60, z: 3600 });
    assert.deepEqual(toHash('3:Märch', 'string'), { '3': 'Märch' });
    assert.throws(() => toHash('x:1,y:hoge', 'integer'), /invalid integer "hoge"/);
    assert.throws(() => toHash('novalue'), /is not key:value/);
    assert.throws(() => toHash('{"a":'), /invalid JSON hash/);
    assert.equal(Object.getPrototypeOf(toHash('__proto__:x')), Object.prototype);
  });

  test('regexp source and flags', () => {
    assert.deepEqual(toRegexpSource('//'), { source: '', flags: '' });
    assert.deepEqual(toRegexpSource('/regexp/'), { source: 'regexp', flags: '' });
    assert.deepEqual(toRegexpSource('/^$/'), { source: '^$', flags: '' });
    assert.deepEqual(toRegexpSource('/[a-z]/'), { source: '[a-z]', flags: '' });
    assert.deepEqual(toRegexpSource('/.+.*?\\d\\w\\s\\S/'), { source: '.+.*?\\d\\w\\s\\S', flags: '' });
    assert.deepEqual(toRegexpSource('/a\\/b/im'), { source: 'a\\/b', flags: 'im' });
    assert.deepEqual(toRegexpSource('^$'), { source: '^$', flags: '' });
    assert.deepEqual(toRegexpSource('regexp'), { source: 'regexp', flags: '' });
    assert.deepEqual(toRegexpSource(''), { source: '', flags: '' });
    assert.throws(() => toRegexpSource('/regexp'), { message: 'invalid regexp: missing right slash: /regexp' });
    assert.throws(() => toRegexpSource('/regexp/imx'), { message: 'invalid regexp: missing right slash: /regexp/imx' });
    assert.throws(() => toRegexpSource('/regexp/x'), /unknown option "x"/);
  });
});
