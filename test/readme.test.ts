import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/harness.ts';

test("the README's plugin table is what the plugins' schemas say (npm run docs)", () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/plugin-table.ts'), '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the README gives exactly the two set-up commands, and package.json backs them', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const setup = readme.slice(readme.indexOf('## Set up'), readme.indexOf('## Running it'));
  const commands = [...setup.matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1]!.trim());
  assert.deepEqual(commands, ['npm install && npm start', 'npm test']);
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.ok(pkg.scripts.start && pkg.scripts.test);
});
