import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { parseConfigString } from '../../src/config/parser.ts';
import { assertParseError, EMBED, parse, valueOf } from './parse-helper.ts';

// Reference section 1.4; cases from test_literal_parser.rb 'embedded ruby code parsing' and test_config_parser.rb.

const opts = { ...EMBED, env: { EMBEDDED_VAR: 'embedded', NESTED: 'nested-embedded', EMPTY: '' }, hostname: 'web-1', workerId: '2' };

describe('embedded Ruby forms', () => {
  test("ENV['X'] and ENV[\"X\"]; unset gives ''", () => {
    assert.equal(valueOf(`"#{ENV['EMBEDDED_VAR']}"`, opts), 'embedded');
    assert.equal(valueOf('"#{ENV["EMBEDDED_VAR"]}"', opts), 'embedded');
    assert.equal(valueOf('"a-#{ ENV["EMBEDDED_VAR"] }-b"', opts), 'a-embedded-b');
    assert.equal(valueOf('"[#{ENV["UNSET"]}]"', opts), '[]');
  });

  test("ENV['X'] || 'default' is Ruby's nil-or: only an unset variable takes the default", () => {
    assert.equal(valueOf(`"#{ENV['EMBEDDED_VAR'] || 'd'}"`, opts), 'embedded');
    assert.equal(valueOf(`"#{ENV['UNSET'] || 'fallback'}"`, opts), 'fallback');
    assert.equal(valueOf(`"#{ENV["UNSET"]||"x y"}"`, opts), 'x y');
    assert.equal(valueOf(`"#{ENV['EMPTY'] || 'd'}"`, opts), '');
  });

  test('ENV.fetch with a default, either quote style', () => {
    assert.equal(valueOf(`"#{ENV.fetch('EMBEDDED_VAR', 'd')}"`, opts), 'embedded');
    assert.equal(valueOf(`"#{ENV.fetch('UNSET', 'fallback')}"`, opts), 'fallback');
    assert.equal(valueOf('"#{ENV.fetch("UNSET", "fall back")}"', opts), 'fall back');
    assert.equal(valueOf(`"#{ENV.fetch('EMPTY', 'd')}"`, opts), '');
    assert.equal(valueOf(`"#{ENV.fetch('UNSET', 'it\\'s')}"`, opts), "it's");
  });

  test('a number as the default interpolates as Ruby prints it', () => {
    assert.equal(valueOf(`"#{ENV.fetch('UNSET', 9200)}"`, opts), '9200');
    assert.equal(valueOf(`"#{ENV.fetch('EMBEDDED_VAR', 9200)}"`, opts), 'embedded');
    assert.equal(valueOf(`"#{ENV['UNSET'] || 1_000}"`, opts), '1000');
    assert.equal(valueOf(`"#{ENV.fetch('UNSET', 2.50)}"`, opts), '2.5');
    assert.equal(valueOf(`"#{ENV.fetch('UNSET', 3.0)}"`, opts), '3.0');
  });

  test('ENV.fetch without a default: set works, unset is an error at its line', () => {
    assert.equal(valueOf(`"#{ENV.fetch('EMBEDDED_VAR')}"`, opts), 'embedded');
    assertParseError(`a b\nk "#{ENV.fetch('UNSET')}"`, 2, /environment variable UNSET is not set/, opts);
  });

  test('hostname, Socket.gethostname and worker_id', () => {
    assert.equal(valueOf('"foo#{hostname}"', opts), 'fooweb-1');
    assert.equal(valueOf('"#{Socket.gethostname}"', opts), 'web-1');
    assert.equal(valueOf('"foo#{worker_id}"', opts), 'foo2');
    assert.equal(valueOf('"foo#{worker_id}"', { ...opts, workerId: '' }), 'foo');
  });

  test('defaults: the process environment, os.hostname(), SERVERENGINE_WORKER_ID', () => {
    assert.equal(parseConfigString('k "#{hostname}"', '(t)', { onWarning: () => {} }).attrs.k, hostname());
    assert.equal(parseConfigString('k "#{worker_id}"', '(t)', { env: { SERVERENGINE_WORKER_ID: '5' } }).attrs.k, '5');
    assert.equal(parseConfigString('k "#{ENV["PATH"]}"', '(t)').attrs.k, process.env.PATH);
  });

  test('#{} is empty; several expressions in one value', () => {
    assert.equal(valueOf('"#{}"', opts), '');
    assert.equal(valueOf('"#{hostname}foo#{worker_id}bar"', opts), 'web-1foo2bar');
  });

  test('#{use_nil}: the key is recorded as unset, with no value', () => {
    const root = parse('k1 v\nk2 "#{use_nil}"\nk1 "#{use_nil}"', opts);
    assert.deepEqual({ ...root.attrs }, {});
    assert.deepEqual([...root.nils].sort(), ['k1', 'k2']);
    assert.deepEqual(root.attrLocations.k1, { file: '(test)', line: 3 });
    const reset = parse('k "#{use_nil}"\nk again', opts);
    assert.deepEqual({ ...reset.attrs }, { k: 'again' });
    assert.equal(reset.nils.size, 0);
  });

  test('#{use_default}: the key is absent, even if set before', () => {
    const root = parse('k1 v\nk1 "#{use_default}"\nk2 "x#{use_default}"', opts);
    assert.deepEqual({ ...root.attrs }, {});
    assert.equal(root.nils.size, 0);
    assert.equal(root.attrLocations.k1, undefined);
  });

  test('in section arguments', () => {
    const root = parse('<match "#{ENV["EMBEDDED_VAR"]}">\n  <store "#{ENV["NESTED"]}">\n  </store>\n  <store "#{Socket.gethostname}">\n  </store>\n</match>', opts);
    assert.equal(root.elements[0]!.arg, 'embedded');
    assert.deepEqual(
      root.elements[0]!.elements.map((el) => el.arg),
      ['nested-embedded', 'web-1'],
    );
  });

  test('single quotes and unquoted values do not interpolate', () => {
    assert.equal(valueOf(`'#{hostname}'`, opts), '#{hostname}');
    assert.equal(valueOf('#{hostname}', opts), '#{hostname}');
  });

  test('any other expression is an error naming file, line and the expression; nothing is evaluated', () => {
    const err = assertParseError('a b\n\nk "#{1+1}"', 3, /unsupported embedded Ruby code "#\{1\+1\}"/, opts);
    assert.match(err.message, /ENV\['NAME'\]/);
    assertParseError('k "#{`rm -rf /`}"', 1, /unsupported embedded Ruby code "#\{`rm -rf \/`\}"/, opts);
    assertParseError('k "#{ENV["A"] || b}"', 1, /unsupported embedded Ruby code/, opts);
    assertParseError('k "#{ENV["A"] && "b"}"', 1, /unsupported embedded Ruby code/, opts);
    assertParseError('k "#{#}"', 1, /unsupported embedded Ruby code/, opts);
    assertParseError('k "#{\n=begin\n}"', 1, /unsupported embedded Ruby code/, opts);
    assertParseError('<match "#{system("id")}">\n</match>', 1, /unsupported embedded Ruby code/, opts);
  });
});
