import type { ConfigElement } from './element.ts';
import { ConfigError, formatConfigMessage } from './errors.ts';

/**
 * The top level of a config (root_agent.rb): which directives may appear there and inside `<worker>`, and what
 * `<label>` and `<worker>` arguments must look like. Whether worker ids fit `<system> workers` is the engine's
 * check, since it needs the system config.
 */

const TOP_LEVEL = new Set(['source', 'match', 'filter', 'label', 'system', 'worker']);
const IN_WORKER = new Set(['source', 'match', 'filter', 'label']);
const WORKER_ID = /^([0-9]+)(?:-([0-9]+))?$/;

/**
 * An unknown top-level directive is only warned about, as Fluentd does (its parameters are never read), and left
 * out of the tree.
 */
export function checkTopLevel(root: ConfigElement, warn: (message: string) => void): void {
  for (const el of [...root.elements]) {
    if (!TOP_LEVEL.has(el.name)) {
      warn(formatConfigMessage(`section <${el.name}> is not used: the top level has <source>, <match>, <filter>, <label>, <system> and <worker>`, { location: el.location }));
      root.elements.splice(root.elements.indexOf(el), 1);
      continue;
    }
    if (el.name === 'label') checkLabel(el);
    if (el.name === 'worker') checkWorker(el);
  }
}

function checkLabel(el: ConfigElement): void {
  if (el.arg === '') fail('Missing symbol argument on <label> directive', el);
  if (el.arg === '@ROOT') fail('@ROOT for <label> is not permitted, reserved for getting root router', el);
}

function checkWorker(el: ConfigElement): void {
  if (el.arg === '') fail('Missing worker id on <worker> directive', el);
  const m = WORKER_ID.exec(el.arg);
  if (m === null) fail(`invalid worker id "${el.arg}" on <worker> directive: use <worker N> or <worker N-M>`, el);
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (first > last) {
    fail(
      `greater first_worker_id<${first}> than last_worker_id<${last}> specified by <worker> directive is not allowed. ` +
        'Available multi worker assign syntax is <smaller_worker_id>-<greater_worker_id>',
      el,
    );
  }
  for (const child of el.elements) {
    if (!IN_WORKER.has(child.name)) fail(`<worker> section cannot have <${child.name}> directive`, child);
    if (child.name === 'label') checkLabel(child);
  }
}

function fail(message: string, el: ConfigElement): never {
  throw new ConfigError(message, { location: el.location });
}
