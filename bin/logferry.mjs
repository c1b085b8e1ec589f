#!/usr/bin/env node
// Runs the compiled build (dist/, made by `npm run build`, which `npm install` runs as `prepare`) when it is at least
// as new as every source file; otherwise the TypeScript sources through tsx, so an edited checkout never runs stale
// code. The build saves tsx's compiler and its cache: about 35 MB of resident memory.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK is pinned to a release that supports Node 20; its notice about future releases is not for operators.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/.built`;

function newestSource() {
  let newest = 0;
  for (const dir of ['src', 'plugins']) {
    for (const name of readdirSync(`${root}${dir}`, { recursive: true })) {
      if (name.endsWith('.ts')) newest = Math.max(newest, statSync(`${root}${dir}/${name}`).mtimeMs);
    }
  }
  return newest;
}

async function runSources() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) {
  try {
    await import('../dist/src/cli/main.js');
  } catch (err) {
    // A build that started after the check removes dist/ before it compiles: ESM links the whole module graph before
    // running any of it, so a module missing from dist/ fails here, with nothing run yet.
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes(`${root}dist/`)) throw err;
    await runSources();
  }
} else {
  await runSources();
}
