import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvFast, parseCsvLine } from '../../src/parser/csv-line.ts';
import { parseFloatTime, parseUnixtime } from '../../src/parser/numeric-time.ts';
import { createSplitter, rubySplit } from '../../src/parser/ruby-split.ts';
import { rubyChomp, rubyStringToF, rubyStringToI, rubyToF, rubyToI } from '../../src/parser/ruby-values.ts';

describe("Ruby's String#split", () => {
  it('drops trailing empty fields without a limit and keeps them with one', () => {
    assert.deepEqual(rubySplit('a,b,,', ','), ['a', 'b']);
    assert.deepEqual(rubySplit('a,b,,', ',', -1), ['a', 'b', '', '']);
    assert.deepEqual(rubySplit('\t\t', '\t', 3), ['', '', '']);
    assert.deepEqual(rubySplit('@\t\t', '\t', 3), ['@', '', '']);
    assert.deepEqual(rubySplit('a\tb\tc\td', '\t', 2), ['a', 'b\tc\td']);
    assert.deepEqual(rubySplit('', ','), []);
    assert.deepEqual(rubySplit('abc', ',', 1), ['abc']);
  });
  it('splits on runs of whitespace for a single space, ignoring leading ones', () => {
    assert.deepEqual(rubySplit('  a  b c ', ' '), ['a', 'b', 'c']);
    assert.deepEqual(rubySplit('a  b  c', ' ', 2), ['a', 'b  c']);
    assert.deepEqual(rubySplit(' a b ', ' ', -1), ['a', 'b', '']);
    assert.deepEqual(rubySplit('a   ', ' ', 2), ['a', '']);
  });
  it('splits on regexps, keeping participating captures only', () => {
    assert.deepEqual(createSplitter(/\s+/).split('k1=v1 \t k2=v2'), ['k1=v1', 'k2=v2']);
    assert.deepEqual(createSplitter(/(-)|(\+)/).split('a-b+c'), ['a', '-', 'b', '+', 'c']);
    assert.deepEqual(createSplitter(/x*/).split('abc'), ['a', 'b', 'c']);
    assert.deepEqual(createSplitter(/,/).split('a,b,c', 2), ['a', 'b,c']);
    assert.deepEqual(createSplitter(/\s+/).split('  a'), ['', 'a']);
  });
  it('splits into characters for an empty separator', () => {
    assert.deepEqual(rubySplit('ab😀', ''), ['a', 'b', '😀']);
  });
});

describe('Ruby numeric conversions', () => {
  it('to_i and to_f read a prefix like Ruby', () => {
    assert.equal(rubyStringToI(' -1_000abc'), -1000);
    assert.equal(rubyStringToI('a'), 0);
    assert.equal(rubyStringToI('1__2'), 1);
    assert.equal(rubyStringToF('13.1'), 13.1);
    assert.equal(rubyStringToF('.5'), 0.5);
    assert.equal(rubyStringToF('1e3x'), 1000);
    assert.equal(rubyStringToF('5.'), 5);
    assert.equal(rubyStringToF('x'), 0);
    assert.equal(rubyToI(1.99), 1);
    assert.equal(rubyToI(true), 0);
    assert.equal(rubyToF(false), 0);
  });
  it('chomp removes one line ending', () => {
    assert.equal(rubyChomp('a\r\n'), 'a');
    assert.equal(rubyChomp('a\n\n'), 'a\n');
    assert.equal(rubyChomp('a\r'), 'a');
    assert.equal(rubyChomp('a'), 'a');
  });
});

describe('numeric time types', () => {
  it('float splits at the dot and pads the fraction to nanoseconds', () => {
    assert.deepEqual(parseFloatTime('100.1'), { sec: 100, nsec: 100_000_000 });
    assert.deepEqual(parseFloatTime('1477022070.123456789'), { sec: 1477022070, nsec: 123_456_789 });
    assert.deepEqual(parseFloatTime(1362020400), { sec: 1362020400, nsec: 0 });
    assert.deepEqual(parseFloatTime(''), { sec: 0, nsec: 0 });
    assert.deepEqual(parseFloatTime('1.5.7'), { sec: 1, nsec: 500_000_000 });
  });
  it('unixtime truncates', () => {
    assert.deepEqual(parseUnixtime('1477022070.01'), { sec: 1477022070, nsec: 0 });
    assert.deepEqual(parseUnixtime(12.9), { sec: 12, nsec: 0 });
  });
  it("rejects other values with Fluentd's message", () => {
    assert.throws(() => parseFloatTime([]), { message: 'value must be a string or a number: [](Array)' });
    assert.throws(() => parseUnixtime(null), { message: 'value must be a string or a number: (NilClass)' });
  });
});

describe('CSV (Ruby CSV.parse_line)', () => {
  it('parses quoting and escapes; unquoted empty is null, quoted empty is ""', () => {
    assert.deepEqual(parseCsvLine('a,"b,c","d""e",,""', ','), ['a', 'b,c', 'd"e', null, '']);
    assert.deepEqual(parseCsvLine('"message","mes""sage","""message""",,""""""', ','), ['message', 'mes"sage', '"message"', null, '""']);
    assert.deepEqual(parseCsvLine('123 456 789', ' '), ['123', '456', '789']);
    assert.deepEqual(parseCsvLine('a,', ','), ['a', null]);
    assert.deepEqual(parseCsvLine('"a\nb",c\n', ','), ['a\nb', 'c']);
    assert.deepEqual(parseCsvLine('\n', ','), []);
    assert.equal(parseCsvLine('', ','), null);
  });
  it("rejects malformed lines with the csv gem's messages", () => {
    assert.throws(() => parseCsvLine('a"b,"a"""c"', ','), { message: 'Illegal quoting in line 1.' });
    assert.throws(() => parseCsvLine('"abc', ','), { message: 'Unclosed quoted field in line 1.' });
    assert.throws(() => parseCsvLine('"a"b', ','), { message: "Any value after quoted field isn't allowed in line 1." });
  });
  it('fast engine reproduces Fluentd parse_fast_internal', () => {
    const keys = ['time', 'key1', 'key2', 'key3', 'key4', 'key5'];
    const split = createSplitter(',');
    assert.deepEqual(parseCsvFast('t,"value1","val,ue2","va,lu,e3","val ue4",""', keys, ',', split),
      { time: 't', key1: 'value1', key2: 'val,ue2', key3: 'va,lu,e3', key4: 'val ue4', key5: '' });
    assert.deepEqual(parseCsvFast('t,"message","mes""sage","""message""",,""""""', keys, ',', split),
      { time: 't', key1: 'message', key2: 'mes"sage', key3: '"message"', key4: null, key5: '""' });
    assert.deepEqual(parseCsvFast('a,b,c', ['key1', 'key2'], ',', split), { key1: 'a', key2: 'b', '': 'c' });
  });
});
