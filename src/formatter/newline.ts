import { p } from '../plugin-api/index.ts';

/** Fluentd's Newline::Mixin parameter, shared by the formatters that end lines. */
export const newlineParam = () => p.enum(['lf', 'crlf']).default('lf').describe('Line ending: lf or crlf.');

export function newlineOf(value: 'lf' | 'crlf'): string {
  return value === 'crlf' ? '\r\n' : '\n';
}
