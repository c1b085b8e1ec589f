import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Fluentd's FileUtil.writable_p?: whether `target` could be written after a mkdir -p of its directory. An existing
 * path must be a writable file; otherwise the nearest existing ancestor must be a writable directory.
 */
export function writableP(target: string): boolean {
  if (existsSync(target)) return !statSync(target).isDirectory() && writable(target);
  let dir = path.dirname(target);
  while (!existsSync(dir)) dir = path.dirname(dir);
  return statSync(dir).isDirectory() && writable(dir);
}

function writable(p: string): boolean {
  try {
    accessSync(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
