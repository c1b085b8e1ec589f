/**
 * Sets `key` as an own, enumerable data property. A plain assignment would treat a key such as `__proto__` (which
 * configs, JSON lines and regexp group names may hold) as the object's prototype instead of as data.
 */
export function setOwnProperty(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
