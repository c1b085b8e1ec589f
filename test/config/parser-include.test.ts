import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.ts';
import { parseConfigFile } from '../../src/config/parser.ts';
import { assertConfigError, EMBED } from './parse-helper.ts';

// Port of Fluentd's test_config_parser.rb '@include parsing' (reference section 1.2), plus error locations.

const tmp = { dir: mkdtempSync(path.join(tmpdir(), 'logferry-config-include-')) };
after(() => rmSync(tmp.dir, { recursive: true, force: true }));

function write(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function prepare(dir: string): string {
  write(
    `${dir}/config_test_1.conf`,
    `
    k1 root_config
    include dir/config_test_2.conf  #
    @include ${dir}/config_test_4.conf
    include file://${dir}/config_test_5.conf
    @include config.d/*.conf
  `,
  );
  write(`${dir}/dir/config_test_2.conf`, '\n    k2 relative_path_include\n    @include ../config_test_3.conf\n');
  write(`${dir}/config_test_3.conf`, '\n    k3 relative_include_in_included_file\n');
  write(`${dir}/config_test_4.conf`, '\n    k4 absolute_path_include\n');
  write(`${dir}/config_test_5.conf`, '\n    k5 uri_include\n');
  // Fluentd's test names its top-level sections elem1, elem2 and elem4; logferry checks the top level, so they
  // are match, filter and source here.
  write(`${dir}/config.d/config_test_6.conf`, '\n    k6 wildcard_include_1\n    <match name>\n      include normal_parameter\n    </match>\n');
  write(`${dir}/config.d/config_test_7.conf`, '\n    k7 wildcard_include_2\n');
  write(`${dir}/config.d/config_test_8.conf`, '\n    <filter name>\n      @include ../dir/config_test_9.conf\n    </filter>\n');
  write(`${dir}/dir/config_test_9.conf`, '\n    k9 embedded\n    <elem3 name>\n      nested nested_value\n      include hoge\n    </elem3>\n');
  write(`${dir}/config.d/00_config_test_8.conf`, '\n    k8 wildcard_include_3\n    <source name>\n      include normal_parameter\n    </source>\n');
  return `${dir}/config_test_1.conf`;
}

describe('@include', () => {
  for (const [label, sub] of [
    ['a plain directory', 'v1_config'],
    ['a directory with spaces', 'folder with spaces/v1_config'],
  ] as const) {
    test(`relative, absolute, file:// and glob includes, nested relative to their own file (${label})`, () => {
      const warnings: string[] = [];
      const c = parseConfigFile(prepare(path.join(tmp.dir, sub)), { ...EMBED, onWarning: (m) => warnings.push(m) });
      assert.deepEqual(c.attrs, {
        k1: 'root_config',
        k2: 'relative_path_include',
        k3: 'relative_include_in_included_file',
        k4: 'absolute_path_include',
        k5: 'uri_include',
        k8: 'wildcard_include_3', // 00_config_test_8.conf sorts first
        k6: 'wildcard_include_1',
        k7: 'wildcard_include_2',
      });
      assert.deepEqual(Object.keys(c.attrs), ['k1', 'k2', 'k3', 'k4', 'k5', 'k8', 'k6', 'k7']);
      assert.deepEqual(
        c.elements.map((el) => el.name),
        ['source', 'match', 'filter'],
      );
      const elem1 = c.elements.find((el) => el.name === 'match')!;
      assert.equal(elem1.arg, 'name');
      assert.equal(elem1.attrs.include, 'normal_parameter');
      const elem2 = c.elements.find((el) => el.name === 'filter')!;
      assert.equal(elem2.attrs.k9, 'embedded');
      assert.equal('include' in elem2.attrs, false);
      const elem3 = elem2.elements.find((el) => el.name === 'elem3')!;
      assert.equal(elem3.attrs.nested, 'nested_value');
      assert.equal(elem3.attrs.include, 'hoge');
      // Locations name the file each line came from.
      const dir = path.join(tmp.dir, sub);
      assert.deepEqual(c.attrLocations.k3, { file: path.join(dir, 'config_test_3.conf'), line: 2 });
      assert.deepEqual(elem3.location, { file: path.join(dir, 'dir/config_test_9.conf'), line: 3 });
      // Two bare `include` lines warn as deprecated.
      assert.equal(warnings.filter((w) => w.includes("'include' is deprecated")).length, 2);
    });
  }

  test('an include inside a section merges into that section, in place', () => {
    const dir = path.join(tmp.dir, 'in-section');
    write(`${dir}/parts/a.conf`, 'flush_interval 5s\n<buffer>\n  @type memory\n</buffer>\n');
    const main = write(`${dir}/main.conf`, '<match **>\n  @type stdout\n  @include parts/a.conf\n  flush_interval 9s\n</match>\n');
    const match = parseConfigFile(main, EMBED).elements[0]!;
    assert.deepEqual(match.attrs, { '@type': 'stdout', flush_interval: '9s' });
    assert.deepEqual(match.elements.map((el) => [el.name, el.attrs['@type']]), [['buffer', 'memory']]);
  });

  test('a glob with no match, or a missing plain path, includes nothing', () => {
    const dir = path.join(tmp.dir, 'nomatch');
    const main = write(`${dir}/main.conf`, 'a 1\n@include conf.d/*.conf\n@include missing.conf\nb 2\n');
    assert.deepEqual(parseConfigFile(main, EMBED).attrs, { a: '1', b: '2' });
  });

  test('backup-looking files matched by *.conf give a warning', () => {
    const dir = path.join(tmp.dir, 'backup');
    write(`${dir}/conf.d/a.conf`, 'a 1\n');
    write(`${dir}/conf.d/a.bak.conf`, 'a 2\n');
    const main = write(`${dir}/main.conf`, '@include conf.d/*.conf\n');
    const warnings: string[] = [];
    parseConfigFile(main, { ...EMBED, onWarning: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^.*main\.conf:1: There is a possibility that '@include conf\.d\/\*\.conf' includes duplicated backed-up config file such as <a\.bak\.conf>/);
  });

  test('an error inside an included file names that file and line', () => {
    const dir = path.join(tmp.dir, 'error');
    const bad = write(`${dir}/conf.d/bad.conf`, '<source>\n  @type tail\n  path "unterminated\n');
    const main = write(`${dir}/main.conf`, '<system>\n</system>\n@include conf.d/*.conf\n');
    assertConfigError(() => parseConfigFile(main, EMBED), bad, 3, /unexpected end of file in a double quoted string/);
    const bad2 = write(`${dir}/c2/bad.conf`, 'ok 1\n\n@bad x\n');
    const main2 = write(`${dir}/main2.conf`, '<match>\n  @type null\n  @include c2/bad.conf\n</match>\n');
    assertConfigError(() => parseConfigFile(main2, EMBED), bad2, 3, /'@' is the system reserved prefix/);
  });

  test('an include cycle is an error', () => {
    const dir = path.join(tmp.dir, 'cycle');
    write(`${dir}/a.conf`, 'a 1\n@include b.conf\n');
    write(`${dir}/b.conf`, 'b 1\n@include a.conf\n');
    assertConfigError(() => parseConfigFile(`${dir}/a.conf`, EMBED), path.join(dir, 'b.conf'), 2, /@include cycle/);
  });

  test('a directory matched by the glob is an include error', () => {
    const dir = path.join(tmp.dir, 'dirmatch');
    mkdirSync(`${dir}/conf.d/sub.conf`, { recursive: true });
    const main = write(`${dir}/main.conf`, 'x 1\n@include conf.d/*.conf\n');
    assertConfigError(() => parseConfigFile(main, EMBED), main, 2, /include error conf\.d\/\*\.conf/);
  });

  test('http(s) includes are refused', () => {
    const dir = path.join(tmp.dir, 'http');
    const main = write(`${dir}/main.conf`, '\n@include https://example.com/fluent.conf\n');
    assertConfigError(() => parseConfigFile(main, EMBED), main, 2, /only local files can be included/);
  });

  test('a missing top file is a ConfigError naming it', () => {
    const missing = path.join(tmp.dir, 'nope.conf');
    assert.throws(() => parseConfigFile(missing, EMBED), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${missing}:0: cannot read config file`));
  });

  test('a symlinked include directory resolves against the including file', () => {
    const dir = path.join(tmp.dir, 'symlink');
    write(`${dir}/real/x.conf`, 'x 1\n');
    symlinkSync(`${dir}/real`, `${dir}/linked`);
    const main = write(`${dir}/main.conf`, '@include linked/*.conf\n');
    assert.deepEqual(parseConfigFile(main, EMBED).attrs, { x: '1' });
  });
});
