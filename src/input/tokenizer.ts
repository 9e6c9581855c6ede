/**
 * A hand-written CSV tokenizer over text chunks: the hot path for big exports (csv-parse costs more than the
 * whole job). It implements the common grammar — quoted fields with doubled quotes and newlines, any of CRLF,
 * LF and CR, blank lines skipped, quotes inside unquoted fields taken literally — with the same results and
 * line numbers as csv-parse configured in csv.ts. On anything else (text after a closing quote) it never
 * guesses: it hands the rest of the input, from the start of that record, to csv-parse.
 */
import { InputError } from '../errors.js';
import type { CsvRecord } from './csv.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;

export interface TokenizerOptions {
  file: string;
  delimiter: string;
  maxRecordSize: number;
}

/** Raised inside the tokenizer when a record leaves its grammar; carries where that record starts. */
export class Unsupported {
  constructor(
    readonly rest: string,
    readonly line: number,
  ) {}
}

/**
 * Yields records; returns `Unsupported` (with the unread text from the offending record on) when csv-parse
 * must take over. `more()` supplies the next chunk, or undefined at the end.
 */
export async function* tokenize(more: () => Promise<string | undefined>, opts: TokenizerOptions): AsyncGenerator<CsvRecord, Unsupported | undefined> {
  const delim = opts.delimiter.charCodeAt(0);
  let buf = '';
  let ended = false;
  let first = true;
  let line = 1;
  let pos = 0;

  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    let c = await more();
    if (c === undefined) {
      ended = true;
      return false;
    }
    // A record longer than a chunk is parsed again from its start after each fill: fetch at least as much as is
    // pending, so that the text of a long record is scanned a bounded number of times (linear, not quadratic).
    const pending = buf.length - pos;
    const parts = [first && c.charCodeAt(0) === 0xfeff ? c.slice(1) : c];
    for (let got = c.length; got < pending && pending + got <= opts.maxRecordSize; got += c.length) {
      c = await more();
      if (c === undefined) {
        ended = true;
        break;
      }
      parts.push(c);
    }
    buf = buf.slice(pos) + parts.join('');
    first = false;
    pos = 0;
    return true;
  };

  while (true) {
    if (pos >= buf.length && !(await fill())) return undefined;
    // Parse one record from `pos`; on running out of text, fetch more and parse the record again.
    const start = pos;
    const wasEnded = ended;
    const fields: string[] = [];
    let p = start;
    let newlines = 0;
    let complete = false;
    let unsupported = false;
    const n = buf.length;
    record: while (true) {
      if (p >= n) {
        // End of text after a delimiter (or at record start): the last field is empty.
        if (ended) {
          fields.push('');
          complete = true;
        }
        break;
      }
      if (buf.charCodeAt(p) === QUOTE) {
        let q = p + 1;
        let value = '';
        let from = q;
        while (true) {
          const k = buf.indexOf('"', q);
          if (k === -1) break record;
          if (k + 1 < n && buf.charCodeAt(k + 1) === QUOTE) {
            value += buf.slice(from, k + 1);
            q = k + 2;
            from = q;
            continue;
          }
          if (k + 1 >= n && !ended) break record;
          value += buf.slice(from, k);
          // Lines inside the quotes (indexOf would scan far past the field when there is no CR in the file).
          for (let i = p + 1; i < k; i++) {
            const ch = buf.charCodeAt(i);
            if (ch === LF || (ch === CR && buf.charCodeAt(i + 1) !== LF)) newlines++;
          }
          p = k + 1;
          break;
        }
        fields.push(value);
        if (p >= n) {
          if (ended) {
            complete = true;
            break;
          }
          break;
        }
        const c = buf.charCodeAt(p);
        if (c === delim) {
          p++;
          continue;
        }
        if (c === LF || c === CR) {
          if (c === CR && p + 1 >= n && !ended) break;
          p += c === CR && buf.charCodeAt(p + 1) === LF ? 2 : 1;
          complete = true;
          break;
        }
        unsupported = true;
        break;
      }
      // Unquoted field: up to the delimiter or the end of the line; quotes inside are literal.
      let i = p;
      while (i < n) {
        const c = buf.charCodeAt(i);
        if (c === delim || c === LF || c === CR) break;
        i++;
      }
      if (i >= n && !ended) break;
      fields.push(buf.slice(p, i));
      if (i >= n) {
        complete = true;
        p = i;
        break;
      }
      const c = buf.charCodeAt(i);
      if (c === delim) {
        p = i + 1;
        if (p >= n && ended) {
          fields.push('');
          complete = true;
          break;
        }
        continue;
      }
      if (c === CR && i + 1 >= n && !ended) break;
      p = i + (c === CR && buf.charCodeAt(i + 1) === LF ? 2 : 1);
      complete = true;
      break;
    }

    if (unsupported) return new Unsupported(buf.slice(start), line);
    if (!complete) {
      if (buf.length - start > opts.maxRecordSize) {
        throw new InputError(`a record starting on this line is larger than ${Math.round(opts.maxRecordSize / (1 << 20))} MB`, { file: opts.file, line }, 'probably an unclosed quote; check the quotes on this line');
      }
      // With all the text read, only an open quote leaves a record incomplete.
      if (wasEnded) throw new InputError('unclosed quote: the quoted field opened on this line runs to the end of the file', { file: opts.file, line }, 'close the quote, or double the quote characters inside the field');
      pos = start;
      await fill();
      continue;
    }
    const recordLine = line;
    line += newlines + (p > start && isEol(buf.charCodeAt(p - 1)) ? 1 : 0);
    pos = p;
    // An empty line is no record; nor is a line of blanks only (as in csv.ts).
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    yield { fields, line: recordLine, lines: newlines + 1 };
  }
}

function isEol(c: number): boolean {
  return c === LF || c === CR;
}
