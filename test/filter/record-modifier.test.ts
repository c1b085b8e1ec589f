import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine } from '../helpers/harness.ts';

/** A real engine: the record_modifier filter under test, then capture `id`. */
async function run(id: string, filter: string, tag: string, records: Array<Record<string, unknown>>) {
  const r = await startEngine(`
<filter **>
  @type record_modifier
  ${filter}
</filter>
<match **>
  @type capture
  @id ${id}
</match>
`);
  try {
    const batch = new EventBatch();
    records.forEach((rec, i) => batch.add(1700000000 + i, 0, rec));
    await r.engine.emit(undefined, tag, batch);
    return { records: r.events(id).map((e) => e.record), logs: r.logs };
  } finally {
    await r.stop();
  }
}

describe('record_modifier', () => {
  it('sets <record> fields with ${tag}, ${tag_parts[N]} and ${record[...]} (either quote), keeping a lone placeholder\'s type', async () => {
    const { records, logs } = await run('rm_record', `
  <record>
    gen_host web-1
    tag \${tag}
    tag_extract \${tag_parts[0]}-\${tag_parts[-1]}-foo
    code \${record["status"]}
    copy \${record['status']}!
    missing \${record["nope"]}
    uses_earlier \${record["gen_host"]}/x
    literal __TAG__
  </record>`, 'app.web.access', [{ status: 200 }]);
    assert.deepEqual(records, [{
      status: 200, gen_host: 'web-1', tag: 'app.web.access', tag_extract: 'app-access-foo', code: 200, copy: '200!',
      missing: null, uses_earlier: 'web-1/x', literal: '__TAG__',
    }]);
    assert.equal(logs.filter((l) => l.level === 'warn').length, 0);
  });

  it('remove_keys deletes keys and nested paths; whitelist_keys keeps only the listed and <record> keys', async () => {
    const removed = await run('rm_remove', 'remove_keys key1,$.nested.drop', 'a', [{ key1: 1, key2: 2, nested: { drop: 1, keep: 2 } }]);
    assert.deepEqual(removed.records, [{ key2: 2, nested: { keep: 2 } }]);
    const kept = await run('rm_whitelist', `
  whitelist_keys key1, key2
  <record>
    added yes
  </record>`, 'a', [{ key1: 'hoge', key2: 'foo', key3: 'bar' }]);
    assert.deepEqual(kept.records, [{ key1: 'hoge', key2: 'foo', added: 'yes' }]);
  });

  it('<replace> rewrites matching string values with \\1 and \\k<name> references, and accepts char_encoding utf-8', async () => {
    const { records } = await run('rm_replace', `
  char_encoding utf-8
  <replace>
    key key1
    expression /^(?<start>.+).{2}(?<end>.+)$/
    replace \\k<start>ors\\k<end>
  </replace>
  <replace>
    key key2
    expression /^(.{1}).{2}(.{1})$/
    replace \\1ors\\2 costs $5
  </replace>`, 'a', [{ key1: 'hoge', key2: 'hoge', key3: 'bar' }, { key1: 'hi', key2: 7 }]);
    assert.deepEqual(records, [{ key1: 'horse', key2: 'horse costs $5', key3: 'bar' }, { key1: 'hi', key2: 7 }]);
  });

  it('refuses prepare_value, Ruby code in <record>, other encodings, and remove_keys with whitelist_keys', async () => {
    const start = (body: string) => startEngine(`<filter **>\n  @type record_modifier\n  ${body}\n</filter>\n<match **>\n  @type null\n</match>`);
    await assert.rejects(start("prepare_value require 'foo'; @foo = 1"), (err: Error) => {
      assert.match(err.message, /prepare_value is Ruby code, which logferry does not run/);
      assert.match(err.message, /\$\{record\["key"\]\}/);
      return true;
    });
    await assert.rejects(start('<record>\n    t ${Time.at(time).to_s}\n  </record>'), /t: `\$\{Time\.at\(time\)\.to_s\}` is Ruby code, which logferry does not run\. Supported placeholders/);
    await assert.rejects(start('char_encoding utf-8:euc-jp'), /char_encoding 'utf-8:euc-jp' is not supported/);
    await assert.rejects(start('remove_keys a\n  whitelist_keys b'), /remove_keys and whitelist_keys are exclusive/);
  });
});
