/** The buffered-output machinery, as the engine's plugin factory uses it. */
export { applyCompatParams } from './compat.ts';
export { resolveBufferSettings, bufferParams, type BufferSettings } from './settings.ts';
export { extractPlaceholders, validatePlaceholders } from './placeholders.ts';
export { BufferedOutputHandle, type BufferedOutputOptions, type Clock } from './buffered-output.ts';
export type { BufferMetrics } from '../plugin-api/types.ts';
export { UnbufferedOutputHandle } from './unbuffered-output.ts';
export type { BufferStorage, StoredChunk } from './storage.ts';
