/**
 * Output gathered as bytes and written in large chunks. Rows are appended synchronously — as text, or as the
 * input record's own bytes — and the caller flushes between chunks of input, so a file costs one write (and one
 * await) per quarter megabyte, not one per row, and no long string is ever built and re-encoded.
 */
const CHUNK = 1 << 18;

export class ByteSink {
  private buf = Buffer.allocUnsafe(CHUNK);
  /** Bytes appended and not yet written. */
  length = 0;

  constructor(private readonly write: (chunk: Buffer) => Promise<void>) {}

  private ensure(n: number): void {
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
    // The stream owns the chunk until it is written: the next rows go to a fresh buffer.
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.length = 0;
    await this.write(chunk);
  }
}
