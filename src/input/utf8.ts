/**
 * UTF-8 as the readers need it: fields decoded fast; which line holds the first invalid sequence (the one place
 * that tells, for the byte tokenizer and the text decoder alike); and text decoded from another encoding turned
 * into UTF-8 bytes again, so that the byte tokenizer reads every CSV.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../errors.js';

const LF = 10;

/**
 * Decodes bytes of a Buffer as UTF-8. `toString('utf8', s, e)` checks and normalises its arguments on every call,
 * which costs more than the decoding of a short field; Buffer's own `utf8Slice` (what it ends in) is used when
 * this Node has it.
 */
type Utf8Slicing = Buffer & { utf8Slice?: (start: number, end: number) => string };
const nativeSlice = (Buffer.prototype as Utf8Slicing).utf8Slice;
export const utf8 = nativeSlice ? (b: Buffer, s: number, e: number): string => (b as Utf8Slicing).utf8Slice!(s, e) : (b: Buffer, s: number, e: number): string => b.toString('utf8', s, e);

/** Bytes at the end of `b` that start a character still incomplete there (0 to 3). */
export function incompleteTail(b: Uint8Array): number {
  for (let i = 1; i <= Math.min(3, b.length); i++) {
    const c = b[b.length - i]!;
    if ((c & 0xc0) === 0x80) continue;
    if (c < 0xc0) return 0;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return need > i ? i : 0;
  }
  return 0;
}

/**
 * The line holding the first invalid UTF-8 in `data[from, end)`, `line` being the line of `data[from]`: lines are
 * split at LF and checked one by one (bytes below `validTo` are known valid). When no line before the last is
 * wrong, the last one is.
 */
export function lineOfInvalidUtf8(data: Buffer, from: number, end: number, line: number, validTo = from): number {
  for (;;) {
    const lf = data.indexOf(LF, from);
    const to = lf === -1 || lf >= end ? end : lf;
    if (to === end) return line;
    if (to >= validTo && !isUtf8(data.subarray(Math.max(from, validTo), to))) return line;
    line++;
    from = to + 1;
  }
}

export function invalidUtf8(file: string, line: number): InputError {
  return new InputError(`invalid UTF-8 on line ${line}`, { file, line }, 'pass --encoding windows-1252 (or the encoding the file was saved in)');
}

/**
 * Decoded text as UTF-8 bytes, chunk by chunk. The characters are the same — line breaks too, so lines count
 * alike — except that a lone surrogate (broken UTF-16) becomes U+FFFD, as it would when written out. A surrogate
 * pair cut between two chunks is kept whole.
 */
export async function* utf8Chunks(text: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let carry = '';
  for await (const chunk of text) {
    let s = carry + chunk;
    carry = '';
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      carry = s.slice(-1);
      s = s.slice(0, -1);
    }
    if (s) yield Buffer.from(s, 'utf8');
  }
  if (carry) yield Buffer.from(carry, 'utf8');
}
