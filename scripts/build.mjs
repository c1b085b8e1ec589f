// Compiles src/ and plugins/ into dist/. The new build is made beside the old one and swapped in by two renames, so
// a logferry running from dist/ (or a test starting one) never finds it half-written: at worst, for the instant
// between the renames, dist/ is absent, and bin/logferry.mjs then runs the sources.
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fresh = `${root}dist.new-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;
const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tsconfig.build.json`, '--outDir', fresh], { stdio: 'inherit' });
if (tsc.status !== 0) {
  rmSync(fresh, { recursive: true, force: true });
  process.exit(tsc.status ?? 1);
}
writeFileSync(`${fresh}/.built`, '');
try {
  renameSync(`${root}dist`, old);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
renameSync(fresh, `${root}dist`);
rmSync(old, { recursive: true, force: true });
