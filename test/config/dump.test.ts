import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dumpConfig } from '../../src/config/dump.ts';
import { e, EMBED, parse, shape } from './parse-helper.ts';

const CONFIG = `
<system>
  log_level info
</system>
<source>
  @type tail
  @id in_tail
  path "/var/log/a b.log"
  tag app.*
  <parse>
    @type regexp
    expression /^(?<host>[^ ]*) (?<msg>.*)$/
    time_format %d/%b/%Y:%H:%M:%S %z
  </parse>
</source>
<match app.** other.**>
  @type s3
  aws_sec_key SECRET1
  password "p4ss"
  s3_bucket logs
  keys ["a", "b",
        "c"]
  tags {"env": "prod", "n": 1.0}
  comment_like "x #not a comment"
  hash_in_value a#b
  multi "line1\\nline2"
  tabbed "\\tleading tab"
  trailing "x  "
  quoted_json "[not json"
  empty ""
  bare_key
  interp_literal "\\#{not interpolated}"
  single 'it''s'
  unset "#{use_nil}"
  <buffer time, tag>
    timekey 1h
  </buffer>
</match>
<label "@ODD label">
  <match "a>b">
    @type null
  </match>
</label>
`.replace("'it''s'", `'it\\'s'`);

describe('dumpConfig', () => {
  test('Fluentd syntax: 2-space indentation, values quoted only where needed', () => {
    const out = dumpConfig(parse('<source>\n  @type  forward\n  port 24224\n  <security>\n    self_hostname "a host"\n    msg " padded "\n  </security>\n</source>\n'));
    assert.equal(out, '<source>\n  @type forward\n  port 24224\n  <security>\n    self_hostname a host\n    msg " padded "\n  </security>\n</source>\n');
  });

  test('JSON values stay bare in compact form (as Fluentd dumps them)', () => {
    const out = dumpConfig(parse('<match>\n  param_hash { "key1": "value1", "key2": 2 }\n  param_array ["value1", "value2", 100]\n</match>'));
    assert.match(out, /^  param_hash \{"key1":"value1","key2":2\}$/m);
    assert.match(out, /^  param_array \["value1","value2",100\]$/m);
  });

  test('round trip: dump then parse gives the same tree', () => {
    const root = parse(CONFIG, { ...EMBED });
    const text = dumpConfig(root, { isSecret: () => false });
    const again = parse(text);
    // Credentials are always masked, so compare with them masked in the original.
    const expected = shape(root);
    const match = expected.elements[2]!;
    match.attrs.aws_sec_key = 'xxxxxx';
    match.attrs.password = 'xxxxxx';
    assert.deepEqual(shape(again), expected);
    // The values that needed quotes are the parser's strings, unchanged.
    assert.equal(again.elements[2]!.attrs.multi, 'line1\nline2');
    assert.equal(again.elements[2]!.attrs.interp_literal, '#{not interpolated}');
    assert.equal(again.elements[2]!.attrs.single, "it's");
    assert.equal(again.elements[3]!.arg, '@ODD label');
    assert.equal(again.elements[3]!.elements[0]!.arg, 'a>b');
    assert.deepEqual([...again.elements[2]!.nils], ['unset']);
  });

  test('round trip of awkward strings in keys, args and values', () => {
    const awkward = ['', ' lead', 'trail ', 'a #b', '#x', '"q', "'q", '[x', '{x', '[1,2] x', 'a\\b', 'a"b', 'tab\there', 'x#{y}', '\0\f\b', 'é ü 日本'];
    for (const s of awkward) {
      const root = parse('');
      root.attrs.k = s;
      root.attrs[s] = 'v';
      root.elements.push({ ...parse('<match>\n</match>').elements[0]!, arg: s });
      const back = parse(dumpConfig(root));
      assert.deepEqual(shape(back), shape(root), JSON.stringify(s));
    }
  });

  test('secrets: always-masked credential names and isSecret', () => {
    const root = parse(
      '<match>\n  @type forward\n  shared_key abc\n  <server>\n    password pw\n    host h\n  </server>\n  <security>\n    self_hostname me\n  </security>\n  sse_customer_key k\n  secret_access_key s\n  aws_sec_key x\n  aws_key_id AKIA\n</match>',
    );
    const out = dumpConfig(root, { isSecret: (section, key) => section === 'security' && key === 'self_hostname' });
    assert.match(out, /^  shared_key xxxxxx$/m);
    assert.match(out, /^    password xxxxxx$/m);
    assert.match(out, /^    host h$/m);
    assert.match(out, /^    self_hostname xxxxxx$/m);
    assert.match(out, /^  sse_customer_key xxxxxx$/m);
    assert.match(out, /^  secret_access_key xxxxxx$/m);
    assert.match(out, /^  aws_sec_key xxxxxx$/m);
    assert.match(out, /^  aws_key_id AKIA$/m);
    assert.doesNotMatch(out, /abc|pw|\bme\b/);
  });

  test('JSON tree: ROOT, name/arg/attrs/elements, values as parsed, secrets masked', () => {
    const root = parse('top 1\n<source>\n  @type sample\n  sample {"a": 1}\n  password pw\n  gone "#{use_nil}"\n</source>');
    const tree = JSON.parse(dumpConfig(root, { json: true }));
    assert.deepEqual(tree, {
      name: 'ROOT',
      arg: '',
      attrs: { top: '1' },
      elements: [
        {
          ...e('source', '', { '@type': 'sample', sample: '{"a":1}', password: 'xxxxxx' }),
          nils: ['gone'],
          elements: [],
        },
      ],
    });
  });

  test('an empty config dumps to nothing', () => {
    assert.equal(dumpConfig(parse('# nothing\n')), '');
  });
});
