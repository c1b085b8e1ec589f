import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEncoding, createOutputReader, type ReadMode } from '../../src/exec/output-reader.ts';

function read(mode: ReadMode, chunks: Buffer[], encoding?: string, blockSize = 10240) {
  const texts: string[] = [];
  const incomplete: string[] = [];
  const reader = createOutputReader(mode, { encoding, blockSize, onText: (t) => texts.push(t), onIncomplete: (r) => incomplete.push(r) });
  for (const c of chunks) reader.push(c);
  reader.end();
  return { texts, incomplete };
}

const b = (s: string) => Buffer.from(s);

describe('lines (Ruby each_line + chomp)', () => {
  it('splits on \\n, drops a trailing \\r, keeps empty lines and a last line without newline', () => {
    assert.deepEqual(read('lines', [b('a\tb\r\nc\n\nd')]).texts, ['a\tb', 'c', '', 'd']);
    assert.deepEqual(read('lines', [b('x\n')]).texts, ['x']);
    assert.deepEqual(read('lines', [b('a\rb\n')]).texts, ['a\rb']);
  });
  it('joins lines and multi-byte characters cut between chunks', () => {
    const bytes = b('ひらがな\nab');
    assert.deepEqual(read('lines', [bytes.subarray(0, 4), bytes.subarray(4, 11), bytes.subarray(11)]).texts, ['ひらがな', 'ab']);
  });
  it('invalid UTF-8 becomes U+FFFD; another encoding is decoded', () => {
    assert.deepEqual(read('lines', [Buffer.from([0x61, 0xff, 0x62, 0x0a])]).texts, ['a\uFFFDb']);
    // "日本" in Shift_JIS
    assert.deepEqual(read('lines', [Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x0a])], 'Shift_JIS').texts, ['日本']);
    assert.deepEqual(read('lines', [Buffer.from([0xe9, 0x0a])], 'ASCII-8BIT').texts, ['\u00e9']);
  });
  it('unknown encodings are refused with Ruby\'s message', () => {
    assert.throws(() => checkEncoding('invalid-encode'), /^Error: unknown encoding name - invalid-encode$/);
    checkEncoding('utf-8');
    checkEncoding('binary');
  });
});

describe('json (a stream of documents)', () => {
  it('pretty-printed, concatenated and whitespace-separated documents', () => {
    const text = '{\n  "a": 1,\n  "b": {"c": [1, 2]}\n}{"d":"}{"}\n[{"e":"\\"]"}]  "s\\"x" 42 true';
    assert.deepEqual(read('json', [b(text)]).texts,
      ['{\n  "a": 1,\n  "b": {"c": [1, 2]}\n}', '{"d":"}{"}', '[{"e":"\\"]"}]', '"s\\"x"', '42', 'true']);
  });
  it('documents cut anywhere between chunks', () => {
    const text = '{"k":"v\\"w"} {"n":[1,{"m":2}]}';
    for (let cut = 1; cut < text.length; cut++) {
      assert.deepEqual(read('json', [b(text.slice(0, cut)), b(text.slice(cut))]).texts, ['{"k":"v\\"w"}', '{"n":[1,{"m":2}]}'], `cut at ${cut}`);
    }
  });
  it('an incomplete last document is reported, not parsed', () => {
    assert.deepEqual(read('json', [b('{"a":1}\n{"b":')]), { texts: ['{"a":1}'], incomplete: ['{"b":'] });
  });
});

describe('binary', () => {
  it('hands bytes as latin1 text in blocks of read_block_size', () => {
    const bytes = Buffer.from([0x81, 0xa1, 0x61, 0xff, 0x00]);
    const { texts } = read('binary', [bytes], undefined, 2);
    assert.deepEqual(texts.map((t) => Buffer.from(t, 'latin1')), [bytes.subarray(0, 2), bytes.subarray(2, 4), bytes.subarray(4)]);
  });
});
