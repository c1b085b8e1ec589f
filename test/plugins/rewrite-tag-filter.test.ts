import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine } from '../helpers/harness.ts';

/** A real engine: `<match app.**>` is the rewrite_tag_filter under test, everything else goes to capture `id`. */
async function run(id: string, rewrite: string, tag: string, records: Array<Record<string, unknown>>) {
  const r = await startEngine(`
<match app.**>
  @type rewrite_tag_filter
  ${rewrite}
</match>
<match **>
  @type capture
  @id ${id}
</match>
`);
  try {
    const batch = new EventBatch();
    records.forEach((rec, i) => batch.add(1700000000 + i, 0, rec));
    await r.engine.emit(undefined, tag, batch);
    return { events: r.events(id).map((e) => [e.tag, e.record] as const), logs: r.logs };
  } finally {
    await r.stop();
  }
}

describe('rewrite_tag_filter', () => {
  it('rewrites with $N backreferences (capitalized on request) and ${tag}/__TAG__ after remove_tag_prefix', async () => {
    const { events } = await run('rtf_backref', `
  capitalize_regex_backreference true
  remove_tag_prefix app
  <rule>
    key domain
    pattern ^(mail)\\.(example)\\.com$
    tag rewritten.\${tag}.$2$1.__TAG__.$7
  </rule>`, 'app.access', [{ domain: 'mail.example.com' }]);
    assert.deepEqual(events, [['rewritten.access.ExampleMail.access.', { domain: 'mail.example.com' }]]);
  });

  it('fills ${tag_parts[N]} and ${hostname} from hostname_command, and tries rules in order', async () => {
    const host = execSync('hostname -s').toString().trim();
    const { events } = await run('rtf_parts', `
  hostname_command hostname -s
  <rule>
    key status
    pattern ^5\\d\\d$
    tag error.\${tag_parts[1]}.\${tag_parts[0]}.\${hostname}
  </rule>
  <rule>
    key status
    pattern .+
    tag other.__HOSTNAME__
  </rule>`, 'app.web.x', [{ status: 503 }, { status: 200 }]);
    assert.deepEqual(events, [
      [`error.web.app.${host}`, { status: 503 }],
      [`other.${host}`, { status: 200 }],
    ]);
  });

  it('invert rewrites events whose field does not match, including a missing field', async () => {
    const { events } = await run('rtf_invert', `
  <rule>
    key level
    pattern ^debug$
    invert true
    tag kept.\${tag}
  </rule>`, 'app.log', [{ level: 'debug' }, { level: 'info' }, { msg: 'no level' }]);
    assert.deepEqual(events, [
      ['kept.app.log', { level: 'info' }],
      ['kept.app.log', { msg: 'no level' }],
    ]);
  });

  it('reads nested keys with record_accessor syntax, and remove_tag_regexp trims ${tag}', async () => {
    const { events } = await run('rtf_nested', `
  remove_tag_regexp /^app\\.(web|api)\\./
  <rule>
    key $.kubernetes.labels.app
    pattern ^(\\w+)$
    tag k8s.$1.\${tag}
  </rule>`, 'app.api.access.log', [{ kubernetes: { labels: { app: 'shop' } } }, { kubernetes: {} }]);
    assert.deepEqual(events, [['k8s.shop.access.log', { kubernetes: { labels: { app: 'shop' } } }]]);
  });

  it('drops events that match no rule, and events whose new tag is their own tag (no loop)', async () => {
    const { events } = await run('rtf_drop', `
  emit_mode record
  <rule>
    key kind
    pattern ^same$
    tag \${tag}
  </rule>
  <rule>
    key kind
    pattern ^go$
    tag moved
  </rule>`, 'app.x', [{ kind: 'none' }, { kind: 'same' }, { kind: 'go' }, { other: 1 }]);
    assert.deepEqual(events, [['moved', { kind: 'go' }]]);
  });

  it('inside a <label> emits into that label (Fluentd\'s context router); a rule label sends elsewhere', async () => {
    const r = await startEngine(`
<label @IN>
  <match app.**>
    @type rewrite_tag_filter
    <rule>
      key kind
      pattern ^special$
      tag special.\${tag}
      label @OTHER
    </rule>
    <rule>
      key kind
      pattern .+
      tag done.$0\${tag_parts[1]}
    </rule>
  </match>
  <match done.**>
    @type capture
    @id rtf_label_in
  </match>
</label>
<label @OTHER>
  <match **>
    @type capture
    @id rtf_label_other
  </match>
</label>
<match **>
  @type capture
  @id rtf_label_root
</match>
`);
    try {
      const batch = new EventBatch();
      batch.add(1, 0, { kind: 'plain' });
      batch.add(2, 0, { kind: 'special' });
      batch.add(3, 0, { kind: 'plain2' });
      await r.engine.emit('@IN', 'app.web', batch);
      assert.deepEqual(r.events('rtf_label_in').map((e) => [e.tag, e.sec, e.record.kind]), [['done.web', 1, 'plain'], ['done.web', 3, 'plain2']]);
      assert.deepEqual(r.events('rtf_label_other').map((e) => [e.tag, e.record.kind]), [['special.app.web', 'special']]);
      assert.deepEqual(r.events('rtf_label_root'), []);
    } finally {
      await r.stop();
    }
  });

  it('refuses a config without rules, duplicated rules and the dropped rewriteruleN syntax', async () => {
    await assert.rejects(startEngine('<match a>\n  @type rewrite_tag_filter\n</match>'), /missing rewriterules/);
    await assert.rejects(startEngine(`<match a>
  @type rewrite_tag_filter
  <rule>
    key k
    pattern x
    tag b
  </rule>
  <rule>
    key k
    pattern x
    tag c
  </rule>
</match>`), /duplicated rewriterules/);
    await assert.rejects(startEngine('<match a>\n  @type rewrite_tag_filter\n  rewriterule1 k ^x$ b\n</match>'), /"rewriterule<num>" support has been dropped/);
    await assert.rejects(startEngine(`<match a>
  @type rewrite_tag_filter
  <rule>
    key k
    pattern x
    tag b.\${tag_parts[0..2]}
  </rule>
</match>`), /does not support range/);
  });
});
