import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { compileStrftime } from '../time/strftime.ts';
import { resolveZone } from '../time/zone.ts';
import type { Chunk } from '../plugin-api/index.ts';

/** fluent-plugin-s3's timekey_to_timeformat: the time_slice format a timekey implies. */
export function timeSliceFormatFor(timekey: number | null): string {
  if (timekey === null) return '';
  if (timekey < 60) return '%Y%m%d%H%M%S';
  if (timekey < 3600) return '%Y%m%d%H%M';
  if (timekey < 86400) return '%Y%m%d%H';
  return '%Y%m%d';
}

/** Ruby's sprintf for index_format (%d, %0Nd, %x, %X). */
export function formatIndex(format: string, i: number): string {
  const m = /^%(0\d*)?([dxX])$/.exec(format)!;
  const width = m[1] ? Number(m[1]) : 0;
  const text = m[2] === 'd' ? String(i) : m[2] === 'x' ? i.toString(16) : i.toString(16).toUpperCase();
  return text.padStart(width, '0');
}

export interface KeyTemplate {
  /** After %{path}, %{file_extension}, %{hostname} and extract_placeholders: the parts that vary per upload remain. */
  resolve(chunk: Chunk, index: number): string;
  /** Whether %{index} (or another per-upload part) makes successive keys differ. */
  hasIndex: boolean;
}

export function compileKeyTemplate(o: {
  format: string;
  path: string;
  extension: string;
  indexFormat: string;
  hexRandomLength: number;
  timeSlice: ((chunk: Chunk) => string);
  extract: (template: string, chunk: Chunk) => string;
}): KeyTemplate {
  const base = o.format.replaceAll('%{hostname}', hostname()).replaceAll('%{path}', o.path).replaceAll('%{file_extension}', o.extension);
  return {
    hasIndex: base.includes('%{index}'),
    resolve(chunk, index) {
      const extracted = o.extract(base, chunk);
      return extracted
        .replaceAll('%{time_slice}', o.timeSlice(chunk))
        .replaceAll('%{index}', formatIndex(o.indexFormat, index))
        .replaceAll('%{hex_random}', [...chunk.chunkId].reverse().join('').slice(0, o.hexRandomLength))
        .replaceAll('%{uuid_flush}', randomUUID())
        .replaceAll('%{hms_slice}', compileStrftime('%H%M%S', resolveZone('localtime'))(Math.floor(Date.now() / 1000), 0));
    },
  };
}
