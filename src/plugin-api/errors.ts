export { ConfigError } from '../config/errors.ts';

/** A line or record that a parser cannot turn into an event; it goes to the error route with its raw text. */
export class ParserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParserError';
  }
}

/**
 * Raised to an emitter when a buffer is over total_limit_size and overflow_action is throw_exception: the input
 * must keep its data (in_tail keeps its position, in_forward withholds its ack) and try again later.
 */
export class BufferOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BufferOverflowError';
  }
}

/** Fluentd's BufferChunkOverflowError: one event larger than chunk_limit_size, which no chunk can take. */
export class BufferChunkOverflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BufferChunkOverflowError';
  }
}

/** An error retrying cannot fix (e.g. a 4xx that will never succeed): the chunk goes to <secondary> or backup. */
export class UnrecoverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnrecoverableError';
  }
}
