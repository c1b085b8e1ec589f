import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, tempDir } from '../helpers/harness.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

test('a third-party plugin loaded with -p uses the same API, as a function of it (the README example)', async () => {
  writeFileSync(
    path.join(tmp.dir, 'filter_add_host.mjs'),
    `import { hostname } from 'node:os';
export default ({ defineFilter, p, z }) => defineFilter({
  type: 'add_host',
  description: 'Adds the host name to every record.',
  params: z.object({ key: p.string().default('host').describe('The field to set.') }),
  create(ctx, params) {
    const host = hostname();
    return { filter(tag, batch) { for (const r of batch.records) r[params.key] = host; return batch; } };
  },
});
`,
  );
  const r = await startEngine(
    `<filter x>
  @type add_host
  key machine
</filter>
<match x>
  @type capture
  @id got
</match>`,
    { pluginDirs: [tmp.dir] },
  );
  try {
    await r.engine.emit(undefined, 'x', EventBatch.single(1, 0, { a: 1 }));
    const { hostname } = await import('node:os');
    assert.deepEqual(r.events('got')[0]?.record, { a: 1, machine: hostname() });
  } finally {
    await r.stop();
  }
});

test('an unknown parameter is warned about as Fluentd does, and a bad value names file, line and parameter', async () => {
  writeFileSync(path.join(tmp.dir, 'out_strict.mjs'), `export default ({ defineOutput, p, z }) => defineOutput({
  type: 'strict', description: 'test', params: z.object({ size: p.size().default(1024) }),
  create() { return { process() {} }; },
});
`);
  const r = await startEngine(`<match **>\n  @type strict\n  size 8m\n  colour blue\n</match>`, { pluginDirs: [tmp.dir], file: '/etc/fluent/test.conf' });
  await r.stop();
  const warning = r.logs.find((l) => /parameter 'colour' in <match \*\*> is not used/.test(l.msg));
  assert.ok(warning, JSON.stringify(r.logs));
  assert.equal(warning.line, 4);
  await assert.rejects(
    startEngine(`<match **>\n  @type strict\n  size lots\n</match>`, { pluginDirs: [tmp.dir], file: '/etc/fluent/test.conf' }),
    (err: Error) => /\/etc\/fluent\/test\.conf:3: <match \*\*> parameter 'size'/.test(err.message),
  );
});
