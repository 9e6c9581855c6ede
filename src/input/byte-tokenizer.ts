/**
 * The one CSV tokenizer: it works on bytes of UTF-8 — the file's own, or text decoded from another encoding and
 * re-encoded (utf8.ts) — and never makes a string it is not asked for. A record is a list of field offsets into
 * the current buffer (record.ts); `field(i)` decodes one field, `plainBytes()` the record's own bytes. The grammar
 * and the line numbers are those of csv-parse as configured in csv.ts — a differential test holds the two
 * together. On text after a closing quote it stops and hands the bytes from the start of that record to the
 * csv-parse path; it never guesses.
 *
 * It is synchronous: the reader feeds it a chunk, then takes every complete record of it in one call, so a
 * file costs one await per chunk, not one per row.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';
import { ByteRecord, type Rec } from './record.js';
import type { ReadState } from './records.js';
import { invalidUtf8, lineOfInvalidUtf8, utf8 } from './utf8.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;
/** What `record` answers when it cannot give a record's end (offsets are never negative). */
const INCOMPLETE = -1;
const HANDOVER = -2;
/** A pending record longer than this makes `feed` hold chunks back (see there). */
const HOLD_FROM = 1 << 20;
/** `stops`: a byte that ends an unquoted field, or a quote inside one. */
const END = 1;
const STRAY = 2;

export interface HandOver {
  /** The unread bytes, from the start of the record the tokenizer does not handle. */
  rest: Buffer;
  /** The line that record starts on. */
  line: number;
}

export interface ByteTokenizerOptions {
  file: string;
  /** A single ASCII byte. */
  delimiter: number;
  maxRecordSize: number;
  /** Strip a byte-order mark at the start (default true; false for a range that starts inside a file). */
  bom?: boolean;
  /** Where the first byte fed sits in the file, so that `stopAt` can name file offsets. */
  base?: number;
}

export class ByteTokenizer {
  private data: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Bytes below this offset of `data` are known to be valid UTF-8. */
  private validated = 0;
  private ended = false;
  private first: boolean;
  /** The file offset of `data[0]`. */
  private offset: number;
  /** The line the next record starts on. */
  line = 1;
  private readonly rec = new ByteRecord();
  /** Per byte value: END for the delimiter and the line breaks, STRAY for a quote, 0 for the rest (one test a byte). */
  private readonly stops = new Uint8Array(256);

  constructor(private readonly opts: ByteTokenizerOptions) {
    // In the order of the tests it replaces: a delimiter that is a quote ends a field.
    this.stops[QUOTE] = STRAY;
    this.stops[opts.delimiter] = this.stops[LF] = this.stops[CR] = END;
    this.first = opts.bom !== false;
    this.offset = opts.base ?? 0;
  }

  /** Chunks held back while a long record is incomplete, and their bytes. */
  private held: Buffer[] = [];
  private heldBytes = 0;

  /**
   * Adds a chunk of the file (undefined: the end), checking that it is UTF-8. While a record longer than a chunk
   * is incomplete, chunks are held back until they at least double what is pending: each byte is then copied
   * and scanned a bounded number of times, however small the chunks (gunzip gives 16 KB) and long the record.
   */
  feed(chunk: Buffer | undefined): void {
    if (chunk !== undefined) {
      const pending = this.data.length - this.pos;
      if (pending > HOLD_FROM && this.heldBytes + chunk.length < pending && pending + this.heldBytes + chunk.length <= this.opts.maxRecordSize) {
        this.held.push(chunk);
        this.heldBytes += chunk.length;
        return;
      }
    }
    if (this.held.length) {
      const held = this.held;
      this.held = [];
      this.heldBytes = 0;
      this.append(Buffer.concat(chunk ? [...held, chunk] : held));
    } else if (chunk !== undefined) this.append(chunk);
    if (chunk === undefined) this.ended = true;
    this.validate();
  }

  /** After a 'handover': the unread bytes, from the start of the record the tokenizer does not handle. */
  handOver(): HandOver {
    return { rest: this.data.subarray(this.pos), line: this.line };
  }

  private append(chunk: Buffer): void {
    if (this.first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
      chunk = chunk.subarray(3);
      this.offset += 3;
    }
    this.first = false;
    if (this.pos >= this.data.length) {
      this.offset += this.data.length;
      this.data = chunk;
      this.validated = 0;
    } else {
      this.offset += this.pos;
      this.data = Buffer.concat([this.data.subarray(this.pos), chunk]);
      this.validated -= this.pos;
    }
    this.pos = 0;
  }

  /** Validates up to the last character boundary that is certainly complete (all of it at the end). */
  private validate(): void {
    const d = this.data;
    let k = d.length;
    if (!this.ended) {
      // Back over a possibly cut multi-byte character: continuation bytes, then its lead byte.
      let back = 0;
      while (k > this.validated && back < 3 && (d[k - 1]! & 0xc0) === 0x80) {
        k--;
        back++;
      }
      if (k > this.validated && d[k - 1]! >= 0xc0) k--;
    }
    if (k <= this.validated) return;
    if (!isUtf8(d.subarray(this.validated, k))) this.invalid(k);
    this.validated = k;
  }

  private invalid(upTo: number): never {
    // Lines are checked one by one from the first unread record.
    throw invalidUtf8(this.opts.file, lineOfInvalidUtf8(this.data, this.pos, upTo, this.line, this.validated));
  }

  /**
   * Calls `visit` for every complete record fed so far (at most `max`), skipping blank lines. The record passed
   * is reused: read what you need inside the call. With `stopAt` (a file offset) it stops before the first record
   * or blank line that starts there ('exact') or beyond ('past'). 'more': feed the next chunk (or the end);
   * 'handover': text after a closing quote, for csv-parse from `handOver()` on.
   */
  run(visit: (r: Rec) => void, max = Infinity, stopAt = Infinity): ReadState {
    if (this.held.length) return 'more';
    const d = this.data;
    const n = d.length;
    const r = this.rec;
    r.buf = d;
    r.delimiter = this.opts.delimiter;
    let count = 0;
    let p = this.pos;
    const stop = stopAt - this.offset;
    while (count < max) {
      if (p >= stop) {
        this.pos = p;
        return p === stop ? 'exact' : 'past';
      }
      if (p >= n) {
        this.pos = p;
        return this.ended ? 'end' : 'more';
      }
      const start = p;
      p = this.record(d, start);
      if (p < 0) {
        this.pos = start;
        return p === HANDOVER ? 'handover' : this.incomplete(start);
      }
      const line = this.line;
      this.line += r.newlines + (p > r.end ? 1 : 0);
      // An empty line is no record; nor is a line of blanks only.
      if (r.width === 1 && (r.ends[0] === r.starts[0] || utf8(d, r.starts[0]!, r.ends[0]!).trim() === '')) continue;
      r.line = line;
      r.lines = r.newlines + 1;
      r.start = start;
      this.pos = p;
      count++;
      visit(r);
    }
    this.pos = p;
    return 'more';
  }

  /**
   * Reads the record at `start` into `rec` (its fields, width, end, stray quote and line breaks inside quotes):
   * the offset after its line break, INCOMPLETE when its end is not fed yet (or never comes: an open quote), or
   * HANDOVER on text after a closing quote. The hot loop: the unquoted scan below is where the time goes.
   */
  private record(d: Buffer, start: number): number {
    const r = this.rec;
    const n = d.length;
    const delim = this.opts.delimiter;
    const stops = this.stops;
    const ended = this.ended;
    let p = start;
    let width = 0;
    r.newlines = 0;
    r.strayQuote = false;
    for (;;) {
      if (width === r.starts.length) r.grow();
      if (p >= n) {
        // End of the data after a delimiter: with all of it read, the last field is empty.
        if (!ended) return INCOMPLETE;
        r.starts[width] = p;
        r.ends[width] = p;
        r.escaped[width++] = 0;
        r.width = width;
        r.end = p;
        return p;
      }
      let i: number;
      if (d[p] === QUOTE) {
        i = this.quoted(d, p, width);
        if (i < 0) return i;
      } else {
        // Unquoted: up to the delimiter or the end of the line; quotes inside are literal.
        i = p;
        while (i < n) {
          const k = stops[d[i]!]!;
          if (k !== 0) {
            if (k === END) break;
            r.strayQuote = true;
          }
          i++;
        }
        if (i >= n && !ended) return INCOMPLETE;
        r.starts[width] = p;
        r.ends[width] = i;
        r.escaped[width] = 0;
      }
      width++;
      if (i >= n) {
        r.width = width;
        r.end = i;
        return i;
      }
      const c = d[i]!;
      if (c === delim) {
        p = i + 1;
        continue;
      }
      // Text after a closing quote: csv-parse's relaxed rules decide what it means.
      if (c !== LF && c !== CR) return HANDOVER;
      if (c === CR && i + 1 >= n && !ended) return INCOMPLETE;
      r.width = width;
      r.end = i;
      return i + (c === CR && d[i + 1] === LF ? 2 : 1);
    }
  }

  /** The quoted field at `p` into field `width` of `rec`: the offset after its closing quote, or INCOMPLETE. */
  private quoted(d: Buffer, p: number, width: number): number {
    const n = d.length;
    let q = p + 1;
    let escaped = 0;
    let k: number;
    for (;;) {
      k = d.indexOf(QUOTE, q);
      if (k === -1 || (k + 1 >= n && !this.ended)) return INCOMPLETE;
      if (k + 1 < n && d[k + 1] === QUOTE) {
        escaped = 1;
        q = k + 2;
        continue;
      }
      break;
    }
    let newlines = 0;
    for (let i = p + 1; i < k; i++) {
      const c = d[i]!;
      if (c === LF || (c === CR && d[i + 1] !== LF)) newlines++;
    }
    const r = this.rec;
    r.newlines += newlines;
    r.starts[width] = p + 1;
    r.ends[width] = k;
    r.escaped[width] = 1 + escaped;
    return k + 1;
  }

  /** A record not complete in what was fed: too large, an open quote at the end of the input, or wait for more. */
  private incomplete(start: number): ReadState {
    if (this.data.length - start > this.opts.maxRecordSize) {
      throw new InputError(`a record starting on this line is larger than ${Math.round(this.opts.maxRecordSize / (1 << 20))} MB`, { file: this.opts.file, line: this.line }, 'probably an unclosed quote; check the quotes on this line');
    }
    // With all of the input read, only an open quote leaves a record incomplete.
    if (this.ended) throw new InputError('unclosed quote: the quoted field opened on this line runs to the end of the file', { file: this.opts.file, line: this.line }, 'close the quote, or double the quote characters inside the field');
    return 'more';
  }
}
