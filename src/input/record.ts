/**
 * A record as the readers see it, whichever reader made it (`Rec`), and the byte tokenizer's own: field offsets
 * into the chunk it came in, decoded only when asked.
 */
import { isBlank } from '../util/text.js';
import { utf8 } from './utf8.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Where a field's bytes are in a buffer. */
export interface Span {
  start: number;
  end: number;
}

/** A record as the readers see it, whichever tokenizer made it. Valid only until the next record. */
export interface Rec {
  /** Fields the record really has. */
  readonly width: number;
  /** The line the record starts on. */
  readonly line: number;
  /** Lines the record spans (more than 1 with line breaks in quoted fields), where the tokenizer tells. */
  readonly lines?: number;
  /** The field's text; '' beyond the record's width. */
  field(i: number): string;
  /**
   * The buffer holding field i as UTF-8, with `span` set to where, when its bytes are its text as they stand (no
   * doubled quotes to undo); undefined when only `field` can tell.
   */
  fieldBytes(i: number, span: Span): Uint8Array | undefined;
  /**
   * The record's own bytes (UTF-8, without its line break) when the CSV writer would write its fields exactly
   * so with the same delimiter: every field quoted that the writer quotes, and no other. Undefined otherwise.
   * A view, valid only until the next record.
   */
  plainBytes(): Uint8Array | undefined;
}

export class ByteRecord implements Rec {
  buf: Buffer = Buffer.alloc(0);
  width = 0;
  line = 0;
  lines = 1;
  start = 0;
  end = 0;
  /** A quote character inside an unquoted field: the writer would quote that field. */
  strayQuote = false;
  /** Line breaks inside the record's quoted fields. */
  newlines = 0;
  /** The delimiter byte. */
  delimiter = 44;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** Per field: 0 unquoted, 1 quoted, 2 quoted holding doubled quotes. */
  escaped = new Uint8Array(64);

  field(i: number): string {
    if (i >= this.width) return '';
    const s = utf8(this.buf, this.starts[i]!, this.ends[i]!);
    return this.escaped[i] === 2 ? s.replaceAll('""', '"') : s;
  }

  fieldBytes(i: number, span: Span): Uint8Array | undefined {
    if (i >= this.width) {
      span.start = span.end = 0;
      return this.buf;
    }
    if (this.escaped[i] === 2) return undefined;
    span.start = this.starts[i]!;
    span.end = this.ends[i]!;
    return this.buf;
  }

  plainBytes(): Uint8Array | undefined {
    if (this.strayQuote) return undefined;
    for (let i = 0; i < this.width; i++) {
      const q = this.escaped[i]!;
      if (q === 2) continue;
      if (this.needsQuotes(this.starts[i]!, this.ends[i]!, q === 1) !== (q === 1)) return undefined;
    }
    return this.buf.subarray(this.start, this.end);
  }

  /** The writer's rule (output/rows.ts) on bytes: the delimiter, a quote or a line break inside, or a blank at an end. */
  private needsQuotes(s: number, e: number, scan: boolean): boolean {
    if (e === s) return false;
    const b = this.buf;
    if (scan) {
      const d = this.delimiter;
      for (let i = s; i < e; i++) {
        const c = b[i]!;
        if (c === d || c === QUOTE || c === LF || c === CR) return true;
      }
    }
    const first = b[s]!;
    const last = b[e - 1]!;
    // Blanks beyond ASCII take at most three bytes: decode that much of each end.
    if (first < 0x80 ? isBlank(first) : isBlank(utf8(b, s, Math.min(e, s + 3)).charCodeAt(0))) return true;
    if (last < 0x80) return isBlank(last);
    const tail = utf8(b, Math.max(s, e - 3), e);
    return isBlank(tail.charCodeAt(tail.length - 1));
  }

  grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    const e = new Int32Array(n);
    e.set(this.ends);
    const x = new Uint8Array(n);
    x.set(this.escaped);
    this.starts = s;
    this.ends = e;
    this.escaped = x;
  }
}

