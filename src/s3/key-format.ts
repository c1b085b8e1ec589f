import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Chunk } from '../plugin-api/index.ts';

const PLACEHOLDER = /%\{[^}]+\}/g;
export const INDEX_FORMAT = /^%(0\d*)?([dxX])$/;
export const DEFAULT_KEY_FORMAT = '%{path}%{time_slice}_%{index}.%{file_extension}';
/** The key format out_s3 switches to with check_object false and no s3_object_key_format of the user's. */
export const NO_CHECK_KEY_FORMAT = '%{path}/%{time_slice}_%{hms_slice}.%{file_extension}';

/** fluent-plugin-s3's timekey_to_timeformat: the %{time_slice} format a timekey implies. */
export function timeSliceFormatFor(timekey: number | null): string {
  if (timekey === null) return '';
  if (timekey < 60) return '%Y%m%d%H%M%S';
  if (timekey < 3600) return '%Y%m%d%H%M';
  if (timekey < 86400) return '%Y%m%d%H';
  return '%Y%m%d';
}

/** Ruby's sprintf for the index formats out_s3 allows (%d, %0Nd, %x, %X), negative numbers included. */
export function formatIndex(format: string, i: number): string {
  const [, zeroWidth, type] = INDEX_FORMAT.exec(format)!;
  const width = zeroWidth ? Number(zeroWidth) : 0;
  if (type === 'd') return (i < 0 ? '-' : '') + String(Math.abs(i)).padStart(width - (i < 0 ? 1 : 0), '0');
  // Ruby prints a negative number in hex as its two's complement with a `..f` prefix.
  const digits = i < 0 ? '..f' : i.toString(16).padStart(width, '0');
  return type === 'X' ? digits.toUpperCase() : digits;
}

/** %{hex_random}: the chunk's unique id in hex, reversed (the random bits first), cut to the length. */
export function hexRandom(chunk: Chunk, length: number): string {
  return [...chunk.chunkId].reverse().join('').slice(0, length);
}

/**
 * Ruby's `gsub(/%{[^}]+}/, hash)`: every %{...} is replaced by its value, and one without a value by "" (a Hash
 * lookup miss is nil, which gsub inserts as an empty string).
 */
export function replaceAllPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (name) => values[name] ?? '');
}

/** `gsub(/%{[^}]+}/) { values.fetch(m, m) }`: the placeholders with a value are replaced, the others kept. */
function replaceKnownPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (name) => values[name] ?? name);
}

export interface KeyFormatOptions {
  format: string;
  /** Whether the user wrote s3_object_key_format (else the default applies, and check_object false changes it). */
  formatGiven: boolean;
  checkObject: boolean;
  path: string;
  extension: string;
  indexFormat: string;
  hexRandomLength: number;
  timeSlice(chunk: Chunk): string;
  extractPlaceholders(template: string, chunk: Chunk): string;
  warn(message: string): void;
  /** A ConfigError about s3_object_key_format, with its location. */
  configError(message: string): Error;
}

/** The keys of one write: the same chunk and moment, a key per %{index} value. */
export interface KeyCandidates {
  key(index: number): string;
  /** The key with %{index} left open: what index probing is remembered by. */
  readonly prefix: string;
}

export interface KeyFormat {
  /** The key format after configure-time processing (%{hostname} resolved, the check_object false default). */
  readonly format: string;
  readonly usesIndex: boolean;
  readonly usesUniquePart: boolean;
  candidates(chunk: Chunk): KeyCandidates;
}

/**
 * out_s3's key generation, step for step: at configure time %{uuid*} are refused and %{hostname} resolved; for a
 * write, %{path} and %{file_extension} are put in, extract_placeholders runs (strftime of the timekey, ${tag},
 * ${chunk_id}, ${key}), then %{time_slice}, %{index}, %{hex_random} and %{uuid_flush} (%{hms_slice} and %{date_slice}
 * instead of %{index} with check_object false), and any other %{...} becomes "".
 */
export function compileKeyFormat(o: KeyFormatOptions): KeyFormat {
  for (const removed of ['%{uuid}', '%{uuid:random}', '%{uuid:hostname}', '%{uuid:timestamp}']) {
    if (o.format.includes(removed)) throw o.configError(`${removed} placeholder in s3_object_key_format is removed`);
  }
  let format = o.format;
  if (format.includes('%{hostname}')) {
    o.warn('%{hostname} will be removed in the future. Use "#{Socket.gethostname}" instead');
    format = format.replaceAll('%{hostname}', hostname());
  }
  if (!o.checkObject) {
    if (o.formatGiven) {
      o.warn("Set 'check_object false' and s3_object_key_format is specified. Check s3_object_key_format is unique in each write. If not, existing file will be overwritten.");
    } else {
      o.warn(`Set 'check_object false' and s3_object_key_format is not specified. Use '${NO_CHECK_KEY_FORMAT}' for s3_object_key_format`);
      format = NO_CHECK_KEY_FORMAT;
    }
  }
  const uuidFlush = format.includes('%{uuid_flush}');
  const pre = { '%{path}': o.path, '%{file_extension}': o.extension };
  return {
    format,
    usesIndex: o.checkObject && format.includes('%{index}'),
    usesUniquePart: ['${chunk_id}', '%{uuid_flush}', '%{hex_random}'].some((p) => format.includes(p)),
    candidates(chunk) {
      const extracted = o.extractPlaceholders(replaceKnownPlaceholders(format, pre), chunk);
      const timeSlice = o.timeSlice(chunk);
      const values: Record<string, string> = { '%{time_slice}': timeSlice, '%{hex_random}': hexRandom(chunk, o.hexRandomLength) };
      if (uuidFlush) values['%{uuid_flush}'] = randomUUID();
      if (!o.checkObject) {
        values['%{date_slice}'] = timeSlice;
        values['%{hms_slice}'] = new Date().toISOString().slice(11, 19).replaceAll(':', '');
      }
      const withIndex = (index: string) => replaceAllPlaceholders(extracted, o.checkObject ? { ...values, '%{index}': index } : values);
      return { key: (index) => withIndex(formatIndex(o.indexFormat, index)), prefix: withIndex('%{index}') };
    },
  };
}
