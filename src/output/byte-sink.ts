/**
 * Output gathered as bytes and written in large chunks. Rows are appended synchronously — as text, or as the
 * input record's own bytes — and the caller flushes between chunks of input, so a file costs one write (and one
 * await) per quarter megabyte, not one per row, and no long string is ever built and re-encoded.
 */
import { isBlank } from '../util/text.js';

const CHUNK = 1 << 18;
const QUOTE = 34;

/** A delimiter, a quote or a line break in `v` from `from` on. */
function needsQuotes(v: string, d: number, from: number): boolean {
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === d || c === QUOTE || c === 10 || c === 13) return true;
  }
  return false;
}

export class ByteSink {
  private buf = Buffer.allocUnsafe(CHUNK);
  /** Bytes appended and not yet written. */
  length = 0;

  /** A chunk being written from `buf` itself (reused): nothing may be appended until it is. */
  private writing = false;

  /**
   * `reuse`: `write` is done with a chunk when it resolves (Output.doneWithChunks), so the buffer is filled again
   * — a quarter megabyte of memory outside the heap less per flush, and fewer full collections it would prompt.
   */
  constructor(
    private readonly write: (chunk: Buffer) => Promise<void>,
    private readonly reuse = false,
  ) {}

  private ensure(n: number): void {
    if (this.writing) throw new Error('ByteSink: bytes appended while its buffer is being written');
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  text(s: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.ensure(s.length * 3);
    this.length += this.buf.write(s, this.length);
  }

  bytes(src: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    this.buf.set(src.subarray(start, end), this.length);
    this.length += end - start;
  }

  /**
   * Appends `values` as one CSV line: quoted where rows.ts `csvLine` quotes (the delimiter, a quote or a line
   * break inside, a blank at an end), the same bytes. ASCII text is copied char by char into the buffer — no line
   * string is built and encoded again — and anything else is encoded by Buffer.
   */
  csvRow(values: readonly string[], delimiter: string, eol: string): void {
    if (values.length) this.cell(values[0]!, delimiter.charCodeAt(0));
    this.moreCells(values, 1, delimiter, eol);
  }

  /** Appends `values` as CSV cells each after `delimiter`, then `eol`: the rest of a line begun before. */
  csvCells(values: readonly string[], delimiter: string, eol: string): void {
    this.moreCells(values, 0, delimiter, eol);
  }

  private moreCells(values: readonly string[], from: number, delimiter: string, eol: string): void {
    const d = delimiter.charCodeAt(0);
    for (let i = from; i < values.length; i++) {
      this.ascii(delimiter);
      this.cell(values[i]!, d);
    }
    this.ascii(eol);
  }

  private cell(v: string, d: number): void {
    const n = v.length;
    if (n > 0 && (isBlank(v.charCodeAt(0)) || isBlank(v.charCodeAt(n - 1)))) return this.quoted(v);
    this.ensure(n * 3);
    const b = this.buf;
    const p = this.length;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c === d || c === QUOTE || c === 10 || c === 13) return this.quoted(v);
      // Beyond ASCII: Buffer encodes the value (over what was copied of it), unless the rest needs quotes.
      if (c >= 0x80) return needsQuotes(v, d, i) ? this.quoted(v) : this.text(v);
      b[p + i] = c;
    }
    this.length = p + n;
  }

  private quoted(v: string): void {
    this.text(`"${v.replaceAll('"', '""')}"`);
  }

  /** Short text known to be ASCII (or not: then encoded). */
  private ascii(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf;
    const p = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.text(s);
      b[p + i] = c;
    }
    this.length = p + n;
  }

  /**
   * Appends `src`, a large block (a thread's spool read back): to an output done with each chunk when written,
   * what is held is written and then `src` itself, not copied into the buffer first (a quarter of the cost of
   * appending a spool at 1M × 10); to another (a stream, gzip), copied into the buffer as `bytes` does, since the
   * stream keeps what it is given. `src` may be reused once this resolves.
   */
  async passThrough(src: Buffer): Promise<void> {
    if (!this.reuse) {
      this.bytes(src, 0, src.length);
      if (this.full) await this.flush();
      return;
    }
    await this.flush();
    await this.write(src);
  }

  /** Appends what another sink holds from `from` on (the same row to a second file). */
  copyFrom(other: ByteSink, from: number): void {
    this.bytes(other.buf, from, other.length);
  }

  get full(): boolean {
    return this.length >= CHUNK;
  }

  async flush(): Promise<void> {
    if (this.length === 0) return;
    const chunk = this.buf.subarray(0, this.length);
    this.length = 0;
    if (this.reuse) {
      this.writing = true;
      try {
        await this.write(chunk);
      } finally {
        this.writing = false;
      }
      return;
    }
    // The stream owns the chunk until it is written: the next rows go to a fresh buffer.
    this.buf = Buffer.allocUnsafe(CHUNK);
    await this.write(chunk);
  }
}
