import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertParseError, e, EMBED, parse, shape } from './parse-helper.ts';

// Cases from Fluentd's test_config_parser.rb 'element parsing' and root_agent.rb (reference section 1.1).

describe('sections', () => {
  test('an empty file is an empty ROOT', () => {
    assert.deepEqual(shape(parse('')), e('ROOT'));
    assert.deepEqual(shape(parse('\n# only a comment\n\n')), e('ROOT'));
  });

  test('nested to any depth, with arguments and attributes', () => {
    const root = parse(`
      <match var>
        key 1
        <nested1>
        </nested1>
        <nested2 x>
          <deeper>
            <deepest y>
              k v
            </deepest>
          </deeper>
        </nested2>
      </match>
    `);
    assert.deepEqual(
      shape(root),
      e('ROOT', '', {}, [
        e('match', 'var', { key: '1' }, [e('nested1'), e('nested2', 'x', {}, [e('deeper', '', {}, [e('deepest', 'y', { k: 'v' })])])]),
      ]),
    );
  });

  test('the argument is trimmed, inner spaces kept; empty argument is ""', () => {
    assert.equal(parse('<match    a    >\n</match>').elements[0]!.arg, 'a');
    assert.equal(parse('<match    a.** b.** >\n</match>').elements[0]!.arg, 'a.** b.**');
    assert.equal(parse('<match >\n</match>').elements[0]!.arg, '');
  });

  test('symbol arguments', () => {
    for (const arg of ['**', '*.*', '1', '_.%$!', '/', '()*{}.[]', 'a#b']) {
      assert.equal(parse(`<match ${arg}>\n</match>`).elements[0]!.arg, arg);
    }
  });

  test('quoted arguments', () => {
    assert.equal(parse('<match "a b ">\n</match>').elements[0]!.arg, 'a b ');
    assert.equal(parse("<match 'x>y'>\n</match>").elements[0]!.arg, 'x>y');
  });

  test('locations of sections and parameters', () => {
    const root = parse('# c\n<source>\n  @type tail\n  <parse>\n    @type none\n  </parse>\n</source>\n');
    assert.deepEqual(root.location, { file: '(test)', line: 0 });
    const source = root.elements[0]!;
    assert.deepEqual(source.location, { file: '(test)', line: 2 });
    assert.deepEqual(source.attrLocations['@type'], { file: '(test)', line: 3 });
    assert.deepEqual(source.elements[0]!.location, { file: '(test)', line: 4 });
    assert.deepEqual(source.elements[0]!.attrLocations['@type'], { file: '(test)', line: 5 });
  });

  test('a # right after the name comments out the rest of the tag line', () => {
    assertParseError('<match #a>\n</match>', 1, /expected end tag '<\/match>' but got end of file/);
  });

  test('open and close tags need their own lines', () => {
    assertParseError('\n  <match></match>\n', 2, /expected end of line after tag/);
    assertParseError('<match>\n</match><match>\n</match>', 2, /expected end of line after end tag/);
    assertParseError('<match> k v\n</match>', 1, /expected end of line after tag/);
  });

  test('unmatched and missing end tags', () => {
    assertParseError('<match>\n  <store>\n  </match>\n</store>', 3, /unmatched end tag '<\/match>' \(expected '<\/store>'\)/);
    assertParseError('k v\n</match>', 2, /unmatched end tag/);
    assertParseError('<match>\n  <store>\n  </store>\n', 1, /expected end tag '<\/match>' but got end of file/);
    assertParseError('<match a\n</match>', 1, /expected '>'/);
  });
});

describe("'@' parameters", () => {
  test('@type @id @label @log_level are allowed everywhere', () => {
    const root = parse('<source>\n @type x\n @id y\n @label @L\n @log_level debug\n</source>\n<label @L>\n</label>');
    assert.deepEqual({ ...root.elements[0]!.attrs }, { '@type': 'x', '@id': 'y', '@label': '@L', '@log_level': 'debug' });
  });

  for (const [where, text, line] of [
    ['top level', '  @k v ', 1],
    ['match', '<match>\n  @k v\n</match>', 2],
    ['source', '<source>\n  @k v\n</source>', 2],
    ['filter', '<filter>\n  @k v\n</filter>', 2],
    ['system', '<system>\n  @k v\n</system>', 2],
  ] as const) {
    test(`any other @ name is an error in ${where}`, () => {
      assertParseError(text, line, /'@' is the system reserved prefix\. Don't use '@' prefix parameter in the configuration: @k/);
    });
  }

  test('deeper it is accepted with a warning naming file and line', () => {
    const warnings: string[] = [];
    const root = parse('<match>\n  <record>\n    @k v\n  </record>\n</match>', { ...EMBED, onWarning: (m) => warnings.push(m) });
    assert.equal(root.elements[0]!.elements[0]!.attrs['@k'], 'v');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^\(test\):3: '@' is the system reserved prefix\. It works in the nested configuration/);
  });
});

describe('top-level structure', () => {
  test('allowed directives', () => {
    const text = '<source>\n</source>\n<match>\n</match>\n<filter>\n</filter>\n<label @X>\n</label>\n<system>\n</system>\n<worker 0>\n</worker>';
    assert.deepEqual(
      parse(text).elements.map((el) => el.name),
      ['source', 'match', 'filter', 'label', 'system', 'worker'],
    );
  });

  test('an unknown top-level directive (<test>) is warned about with file:line and left out, as Fluentd does', () => {
    const warnings: string[] = [];
    const root = parse('<source>\n</source>\n<test>\n  foo bar\n</test>', { ...EMBED, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(root.elements.map((el) => el.name), ['source']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^\(test\):3: section <test> is not used/);
  });

  test('<label> needs a name; @ROOT is reserved', () => {
    assertParseError('<label>\n</label>', 1, /Missing symbol argument on <label> directive/);
    assertParseError('\n<label @ROOT>\n</label>', 2, /@ROOT for <label> is not permitted/);
    assert.equal(parse('<label @ERROR>\n</label>').elements[0]!.arg, '@ERROR');
  });

  test('<worker N> and <worker N-M>', () => {
    assert.equal(parse('<worker 0-3>\n<source>\n</source>\n</worker>').elements[0]!.arg, '0-3');
    assertParseError('<worker>\n</worker>', 1, /Missing worker id on <worker> directive/);
    assertParseError('<worker 3-1>\n</worker>', 1, /greater first_worker_id<3> than last_worker_id<1>/);
    assertParseError('<worker x>\n</worker>', 1, /invalid worker id "x"/);
  });

  test('<worker> holds only source, match, filter and label', () => {
    const root = parse('<worker 0>\n<source>\n</source>\n<match>\n</match>\n<filter>\n</filter>\n<label @A>\n</label>\n</worker>');
    assert.deepEqual(
      root.elements[0]!.elements.map((el) => el.name),
      ['source', 'match', 'filter', 'label'],
    );
    assertParseError('<worker 0>\n  <system>\n  </system>\n</worker>', 2, /<worker> section cannot have <system> directive/);
    assertParseError('<worker 0>\n  <label>\n  </label>\n</worker>', 2, /Missing symbol argument on <label>/);
  });
});
