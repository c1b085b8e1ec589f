import { randomBytes } from 'node:crypto';

/** Fluentd's unique_id.rb: 52 bits of microseconds << 12 | 12 random bits, then 64 random bits. */
export function generateUniqueId(): Buffer {
  const id = randomBytes(16);
  const micros = BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000));
  const head = (micros << 12n) | BigInt(id.readUInt16BE(0) & 0xfff);
  id.writeBigUInt64BE(head & 0xffffffffffffffffn, 0);
  return id;
}
