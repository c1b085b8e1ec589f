import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpack } from 'msgpackr';
import { markRubyFloat } from '../../src/formatter/ruby-float.ts';
import { buildFormatter } from './plugin-builder.ts';

// 2016-07-26 21:08:30 -0700, Fluentd's test time
const SEC = 1469592510;
const record = { message: 'awesome' };

describe('formatter out_file', () => {
  it('writes time<TAB>tag<TAB>json with ISO-8601 seconds in UTC (Z) under utc', async () => {
    const f = await buildFormatter('out_file', { utc: 'true' });
    assert.equal(f.format('tag', SEC, 123, record), '2016-07-27T04:08:30Z\ttag\t{"message":"awesome"}\n');
  });
  it('localtime false also means UTC; both given and equal is a config error', async () => {
    const f = await buildFormatter('out_file', { localtime: 'false' });
    assert.equal(f.format('t', SEC, 0, record), '2016-07-27T04:08:30Z\tt\t{"message":"awesome"}\n');
    for (const v of ['true', 'false']) {
      await assert.rejects(buildFormatter('out_file', { utc: v, localtime: v }), /both of utc and localtime are specified/);
    }
  });
  it('timezone gives the numeric offset (+00:00 is not Z)', async () => {
    const tokyo = await buildFormatter('out_file', { timezone: '+09:00' });
    assert.equal(tokyo.format('t', SEC, 0, record), '2016-07-27T13:08:30+09:00\tt\t{"message":"awesome"}\n');
    const zero = await buildFormatter('out_file', { timezone: '+00:00' });
    assert.match(zero.format('t', SEC, 0, record) as string, /^2016-07-27T04:08:30\+00:00\t/);
  });
  it('output_time/output_tag false, crlf, delimiter SPACE/COMMA/other', async () => {
    assert.equal((await buildFormatter('out_file', { output_time: 'false', newline: 'crlf' })).format('tag', SEC, 0, record), 'tag\t{"message":"awesome"}\r\n');
    assert.equal((await buildFormatter('out_file', { utc: 'true', output_tag: 'false' })).format('tag', SEC, 0, record), '2016-07-27T04:08:30Z\t{"message":"awesome"}\n');
    assert.equal((await buildFormatter('out_file', { output_tag: 'false', output_time: 'false' })).format('tag', SEC, 0, record), '{"message":"awesome"}\n');
    assert.equal((await buildFormatter('out_file', { utc: 'true', delimiter: 'SPACE' })).format('tag', SEC, 0, record), '2016-07-27T04:08:30Z tag {"message":"awesome"}\n');
    assert.equal((await buildFormatter('out_file', { utc: 'true', delimiter: 'comma' })).format('tag', SEC, 0, record), '2016-07-27T04:08:30Z,tag,{"message":"awesome"}\n');
    assert.equal((await buildFormatter('out_file', { utc: 'true', delimiter: '|' })).format('tag', SEC, 0, record), '2016-07-27T04:08:30Z\ttag\t{"message":"awesome"}\n');
  });
  it('time_format through strftime; time_type unixtime and float (with Fluentd\'s nanosecond padding)', async () => {
    const f = await buildFormatter('out_file', { utc: 'true', time_format: '%Y/%m/%d %H:%M:%S.%L' });
    assert.equal(f.format('t', SEC, 123_456_789, {}), '2016/07/27 04:08:30.123\tt\t{}\n');
    assert.equal(f.format('t', SEC, 987_000_000, {}), '2016/07/27 04:08:30.987\tt\t{}\n');
    assert.equal((await buildFormatter('out_file', { time_type: 'unixtime' })).format('t', SEC, 5, {}), `${SEC}\tt\t{}\n`);
    const float = await buildFormatter('out_file', { time_type: 'float' });
    assert.equal(float.format('t', SEC, 123_456_789, {}), `${SEC}.123456789\tt\t{}\n`);
    assert.equal(float.format('t', SEC, 1000, {}), `${SEC}.00000\tt\t{}\n`);
  });
});

describe('formatter json', () => {
  it('compact, insertion order, / and non-ASCII and U+2028 unescaped, controls as Ruby escapes them', async () => {
    const f = await buildFormatter('json');
    const rec = { b: 1, a: 'x/y', u: 'héllo ✓ \u2028', c: '\u0001\u001f\b\f\n\r\t"\\', n: null, t: true, arr: [1, 'two', { k: [] }] };
    assert.equal(f.format('tag', SEC, 0, rec),
      '{"b":1,"a":"x/y","u":"héllo ✓ \u2028","c":"\\u0001\\u001f\\b\\f\\n\\r\\t\\"\\\\","n":null,"t":true,"arr":[1,"two",{"k":[]}]}\n');
  });
  it('add_newline false and crlf', async () => {
    assert.equal((await buildFormatter('json', { add_newline: 'false' })).format('t', 0, 0, record), '{"message":"awesome"}');
    assert.equal((await buildFormatter('json', { newline: 'crlf' })).format('t', 0, 0, record), '{"message":"awesome"}\r\n');
  });
  it('floats in Ruby notation: exponent below 1e-4 and at/after 1e16, 1.0 for a marked Ruby Float', async () => {
    const f = await buildFormatter('json', { add_newline: 'false' });
    assert.equal(f.format('t', 0, 0, { a: 0.00001, b: [1.5e-7], c: { d: -0.000025 } }), '{"a":1.0e-05,"b":[1.5e-07],"c":{"d":-2.5e-05}}');
    assert.equal(f.format('t', 0, 0, { a: 0.0001, b: 123.25, c: 1e21 }), '{"a":0.0001,"b":123.25,"c":1000000000000000000000}');
    const marked: Record<string, unknown> = { time: 1469592510, other: 2 };
    markRubyFloat(marked, 'time');
    assert.equal(f.format('t', 0, 0, marked), '{"time":1469592510.0,"other":2}');
    // text that only looks like a number keeps JSON.stringify's bytes
    assert.equal(f.format('t', 0, 0, { s: 'v1e-5 x:0.00001' }), '{"s":"v1e-5 x:0.00001"}');
  });
});

describe('formatters single_value, ltsv, tsv, csv, hash, msgpack', () => {
  it('single_value: to_s of message_key, add_newline', async () => {
    assert.equal((await buildFormatter('single_value')).format('t', 0, 0, record), 'awesome\n');
    assert.equal((await buildFormatter('single_value', { message_key: 'n', add_newline: 'false' })).format('t', 0, 0, { n: 12 }), '12');
    assert.equal((await buildFormatter('single_value')).format('t', 0, 0, {}), '\n');
  });
  it('ltsv: label:value with the delimiter inside values replaced', async () => {
    const f = await buildFormatter('ltsv');
    assert.equal(f.format('t', 0, 0, { message: 'awe\tsome', greeting: 'hello', n: 1 }), 'message:awe some\tgreeting:hello\tn:1\n');
    const g = await buildFormatter('ltsv', { delimiter: ',', label_delimiter: '=', replacement: ';' });
    assert.equal(g.format('t', 0, 0, { a: 'x,y', b: null }), 'a=x;y,b=\n');
  });
  it('tsv: keys joined by the delimiter; keys is required', async () => {
    const f = await buildFormatter('tsv', { keys: 'message,greeting,missing' });
    assert.equal(f.format('t', 0, 0, { message: 'awesome', greeting: 'hello' }), 'awesome\thello\t\n');
    await assert.rejects(buildFormatter('tsv'), /keys/);
  });
  it('csv: quoted by default, quotes doubled, nested fields, TAB delimiter, force_quotes false', async () => {
    const f = await buildFormatter('csv', { fields: 'message,message2' });
    assert.equal(f.format('t', 0, 0, { message: 'awe"some', message2: 'awesome2' }), '"awe""some","awesome2"\n');
    assert.equal(f.format('t', 0, 0, { message: 1 }), '"1",""\n');
    const nested = await buildFormatter('csv', { fields: '$.nest.key,$[\'a\'][0]', delimiter: 'TAB' });
    assert.equal(nested.format('t', 0, 0, { nest: { key: 'v' }, a: [7] }), '"v"\t"7"\n');
    const bare = await buildFormatter('csv', { fields: 'a,b,c,d', force_quotes: 'false', add_newline: 'false' });
    assert.equal(bare.format('t', 0, 0, { a: 'plain', b: 'x,y', c: '', d: null }), 'plain,"x,y","",');
    await assert.rejects(buildFormatter('csv', { fields: ',' }), /empty value is specified in fields parameter/);
  });
  it('hash: Ruby 3.4 Hash#inspect', async () => {
    const f = await buildFormatter('hash');
    assert.equal(f.format('t', 0, 0, { message: 'awesome', greeting: 'hello' }), '{"message" => "awesome", "greeting" => "hello"}\n');
    assert.equal(f.format('t', 0, 0, { a: [1, null, true], b: { c: 1.5 }, d: 'q"\\#{x}\n\u0001' }),
      '{"a" => [1, nil, true], "b" => {"c" => 1.5}, "d" => "q\\"\\\\\\#{x}\\n\\u0001"}\n');
  });
  it('msgpack: the record only, sized maps as Ruby packs them', async () => {
    const f = await buildFormatter('msgpack');
    const out = f.format('t', SEC, 0, { a: 1, b: 'x' }) as Buffer;
    assert.deepEqual(unpack(out), { a: 1, b: 'x' });
    assert.equal(out[0], 0x82); // fixmap of 2
  });
});

describe('formatter stdout', () => {
  it('"<local time with ns> <tag>: <json>" and output_type hash', async () => {
    const f = await buildFormatter('stdout', { time_format: '%Y-%m-%d %H:%M:%S.%N' });
    assert.match(f.format('tag', SEC, 5, record) as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000005 tag: \{"message":"awesome"\}\n$/);
    const h = await buildFormatter('stdout', { output_type: 'hash' });
    assert.match(h.format('tag', SEC, 0, record) as string, / tag: \{"message" => "awesome"\}\n$/);
  });
});
