import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertLegacyExecParams } from '../../src/exec/legacy-params.ts';
import { element } from '../formatter/plugin-builder.ts';

const extractOf = (conf: ReturnType<typeof element>) => conf.elements.find((e) => e.name === 'extract')?.attrs;

// The v0.12 configurations of Fluentd's test_in_exec.rb ("with traditional configuration").
describe('in_exec v0.12 parameters (compat_parameters :extract, :parser)', () => {
  it('TSV_CONFIG_COMPAT: keys without format get format tsv; tag_key/time_key/time_format are copied to <extract>', () => {
    const conf = element('source', { command: 'x', keys: 'time,tag,k1', time_key: 'time', tag_key: 'tag', time_format: '%Y-%m-%d %H:%M:%S' });
    convertLegacyExecParams(conf);
    assert.deepEqual(extractOf(conf), { time_key: 'time', tag_key: 'tag', time_format: '%Y-%m-%d %H:%M:%S' });
    assert.deepEqual(conf.attrs, { command: 'x', keys: 'time,tag,k1', time_key: 'time', time_format: '%Y-%m-%d %H:%M:%S', format: 'tsv' },
      'the parser keys stay for the engine\'s <parse> conversion; tag_key is consumed');
  });
  it('JSON_CONFIG_COMPAT: format json with tag_key and time_key', () => {
    const conf = element('source', { command: 'x', format: 'json', tag_key: 'tag', time_key: 'time' });
    convertLegacyExecParams(conf);
    assert.deepEqual(extractOf(conf), { tag_key: 'tag', time_key: 'time' });
    assert.deepEqual(conf.attrs, { command: 'x', format: 'json', time_key: 'time' });
  });
  it('an old-style regexp format reads its time field as a string', () => {
    const conf = element('source', { command: 'x', format: '/(?<time>[^ ]*) (?<message>.*)/', tag: 't' });
    convertLegacyExecParams(conf);
    assert.deepEqual(extractOf(conf), { time_key: 'time', time_type: 'string' });
  });
  it('with a <parse> section the copied keys leave the source', () => {
    const conf = element('source', { command: 'x', tag_key: 'tag', time_key: 't', utc: 'true' }, [element('parse', { '@type': 'json' })]);
    convertLegacyExecParams(conf);
    assert.deepEqual(extractOf(conf), { tag_key: 'tag', time_key: 't', utc: 'true' });
    assert.deepEqual(conf.attrs, { command: 'x' });
  });
  it('an existing <extract> is left alone, and so are the top-level keys (reported as unused)', () => {
    const conf = element('source', { command: 'x', tag_key: 'top' }, [element('extract', { tag_key: 'inner' })]);
    convertLegacyExecParams(conf);
    assert.deepEqual(conf.elements.map((e) => e.attrs), [{ tag_key: 'inner' }]);
    assert.equal(conf.attrs.tag_key, 'top');
  });
  it('localtime and utc together are refused', () => {
    const conf = element('source', { command: 'x', time_key: 't', localtime: 'true', utc: 'true' });
    assert.throws(() => convertLegacyExecParams(conf), /both of utc and localtime are specified, use only one of them/);
  });
  it('a v1 configuration is untouched', () => {
    const conf = element('source', { command: 'x', tag: 't' }, [element('parse', { keys: 'a' })]);
    convertLegacyExecParams(conf);
    assert.deepEqual(conf.attrs, { command: 'x', tag: 't' });
    assert.equal(conf.elements.length, 1);
  });
});
