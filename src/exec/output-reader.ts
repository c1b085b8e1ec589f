import { createJsonDocumentSplitter } from './json-documents.ts';

/**
 * How a command's stdout reaches the parser, as in Fluentd's in_exec#run: `lines` (each line chomped, for the
 * per-line parsers), `json` (a stream of JSON documents, Fluentd's parse_io: pretty-printed or concatenated
 * documents work), `binary` (msgpack's partial data, in blocks of read_block_size bytes).
 */
export type ReadMode = 'lines' | 'json' | 'binary';

export interface OutputReader {
  push(chunk: Buffer): void;
  /** End of output: the last line without a newline still counts. */
  end(): void;
}

export interface ReaderOptions {
  /** Ruby encoding name of the output (Fluentd's `encoding`); undefined: UTF-8. Invalid bytes become U+FFFD. */
  encoding: string | undefined;
  blockSize: number;
  onText(text: string): void;
  /** The output ended inside a JSON document. */
  onIncomplete(rest: string): void;
}

const BINARY_NAMES = new Set(['ascii-8bit', 'binary']);

/** Throws `unknown encoding name - NAME` (Ruby's message) for an encoding this runtime cannot decode. */
export function checkEncoding(name: string): void {
  if (BINARY_NAMES.has(name.toLowerCase())) return;
  try {
    new TextDecoder(name);
  } catch {
    throw new Error(`unknown encoding name - ${name}`);
  }
}

interface Decoder {
  write(chunk: Buffer): string;
  end(): string;
}

function createDecoder(encoding: string | undefined): Decoder {
  if (encoding !== undefined && BINARY_NAMES.has(encoding.toLowerCase())) {
    return { write: (chunk) => chunk.toString('latin1'), end: () => '' };
  }
  const decoder = new TextDecoder(encoding ?? 'utf-8');
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

export function createOutputReader(mode: ReadMode, options: ReaderOptions): OutputReader {
  if (mode === 'binary') return binaryReader(options);
  const decoder = createDecoder(options.encoding);
  if (mode === 'json') {
    const splitter = createJsonDocumentSplitter(options.onText);
    return {
      push: (chunk) => splitter.push(decoder.write(chunk)),
      end: () => {
        splitter.push(decoder.end());
        const rest = splitter.end();
        if (rest !== '') options.onIncomplete(rest);
      },
    };
  }
  return lineReader(decoder, options.onText);
}

// Ruby's each_line + chomp: lines end at "\n"; a trailing "\r" goes too; a last line without "\n" counts.
function lineReader(decoder: Decoder, onText: (line: string) => void): OutputReader {
  let carry = '';
  const emitLines = (text: string): void => {
    let from = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', from)) >= 0) {
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      onText(text.slice(from, end));
      from = nl + 1;
    }
    carry = text.slice(from);
  };
  return {
    push: (chunk) => emitLines(carry + decoder.write(chunk)),
    end: () => {
      emitLines(carry + decoder.end());
      if (carry !== '') onText(carry.endsWith('\r') ? carry.slice(0, -1) : carry);
      carry = '';
    },
  };
}

// Bytes as a latin1 string (one char per byte), the form the msgpack parser takes.
function binaryReader(options: ReaderOptions): OutputReader {
  return {
    push: (chunk) => {
      for (let at = 0; at < chunk.length; at += options.blockSize) {
        options.onText(chunk.toString('latin1', at, Math.min(chunk.length, at + options.blockSize)));
      }
    },
    end: () => {},
  };
}
