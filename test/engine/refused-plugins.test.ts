import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/harness.ts';

// Ruby-only Fluentd inputs: --dry-run names the plugin, says why it cannot run and points at monitor_agent.
for (const type of ['debug_agent', 'object_space']) {
  test(`--dry-run refuses @type ${type} as Ruby-only and suggests monitor_agent`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'fluent.conf');
      writeFileSync(file, `<source>\n  @type ${type}\n</source>\n<match **>\n  @type null\n</match>\n`);
      const r = await runCli(['--dry-run', '-c', file]);
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.match(out, new RegExp(`Input plugin '${type}' is Ruby-only`));
      assert.match(out, /Use '@type monitor_agent'/);
      assert.match(out, /fluent\.conf:2/);
      assert.doesNotMatch(out, /Unknown input plugin/);
    } finally {
      cleanup();
    }
  });
}
