/**
 * The public plugin API: the only module plugins import from the engine. Built-in plugins in plugins/ and
 * third-party plugins loaded with `-p DIR` use exactly this. A plugin file is named `<prefix>_<type>.ts` (or .js/.mjs)
 * with prefix in_, out_, filter_, parser_, formatter_ or buf_, and default-exports a definition.
 */
import type {
  BufferDefinition,
  FilterDefinition,
  FormatterDefinition,
  InputDefinition,
  OutputDefinition,
  ParserDefinition,
} from './types.ts';
import type { ParamsSchema } from './params.ts';

export * from './types.ts';
export * from './errors.ts';
export type { Logger } from './logger.ts';
export { p } from './params.ts';
export type { ParamsSchema } from './params.ts';
export { readSection } from './read-section.ts';
export { EventBatch } from '../event/event-batch.ts';
export type { EventRecord } from '../event/event-batch.ts';
export type { EventTime } from '../event/event-time.ts';
export { nowEventTime } from '../event/event-time.ts';
export type { ConfigElement, SourceLocation } from '../config/element.ts';
export { newElement } from '../config/element.ts';
export { z } from 'zod';

type Def<D> = Omit<D, 'kind'>;
export const defineInput = <S extends ParamsSchema>(d: Def<InputDefinition<S>>): InputDefinition<S> => ({ kind: 'input', ...d });
export const defineFilter = <S extends ParamsSchema>(d: Def<FilterDefinition<S>>): FilterDefinition<S> => ({ kind: 'filter', ...d });
export const defineOutput = <S extends ParamsSchema>(d: Def<OutputDefinition<S>>): OutputDefinition<S> => ({ kind: 'output', ...d });
export const defineParser = <S extends ParamsSchema>(d: Def<ParserDefinition<S>>): ParserDefinition<S> => ({ kind: 'parser', ...d });
export const defineFormatter = <S extends ParamsSchema>(d: Def<FormatterDefinition<S>>): FormatterDefinition<S> => ({ kind: 'formatter', ...d });
export const defineBuffer = <S extends ParamsSchema>(d: Def<BufferDefinition<S>>): BufferDefinition<S> => ({ kind: 'buffer', ...d });
