/**
 * Cuts a stream of JSON text into documents, the way Fluentd's parse_io feeds a resumable JSON parser: documents
 * may be pretty-printed over many lines, concatenated, or separated by any whitespace. Only the boundaries are
 * found here; the parser validates each document.
 */
export interface JsonDocumentSplitter {
  push(text: string): void;
  /** Ends the stream; returns the text of a document left incomplete ('' when none). */
  end(): string;
}

const NONE = 0;
const CONTAINER = 1;
const STRING = 2;
const BARE = 3;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function startsDocument(c: number): boolean {
  return c === 123 /* { */ || c === 91 /* [ */ || c === 34 /* " */;
}

export function createJsonDocumentSplitter(onDocument: (text: string) => void): JsonDocumentSplitter {
  let kind = NONE;
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** The part of the current document that arrived in earlier pushes. */
  let head = '';

  return {
    push(text) {
      let start = kind === NONE ? -1 : 0;
      const finish = (end: number): void => {
        onDocument(head + text.slice(start, end));
        head = '';
        kind = NONE;
      };
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (kind === NONE) {
          if (isSpace(c)) continue;
          start = i;
          if (c === 123 || c === 91) {
            kind = CONTAINER;
            depth = 1;
            inString = false;
          } else {
            kind = c === 34 ? STRING : BARE;
          }
          escaped = false;
        } else if (kind === BARE) {
          if (isSpace(c) || startsDocument(c)) {
            finish(i);
            i--;
          }
        } else if (inString || kind === STRING) {
          if (escaped) escaped = false;
          else if (c === 92 /* \ */) escaped = true;
          else if (c === 34) {
            if (kind === STRING) finish(i + 1);
            else inString = false;
          }
        } else if (c === 34) {
          inString = true;
        } else if (c === 123 || c === 91) {
          depth++;
        } else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (--depth === 0) finish(i + 1);
        }
      }
      if (kind !== NONE) head += text.slice(start);
    },
    end() {
      if (kind === BARE) {
        onDocument(head);
        head = '';
        kind = NONE;
      }
      const rest = head;
      head = '';
      kind = NONE;
      return rest;
    },
  };
}
