/** Join keys as the rules normalise them, and kept without their source text. */
import { finishHash, hashBytes, mixWord } from './key-hash.js';

/**
 * A copy of a string that does not keep its source alive. V8 makes a slice of 13 or more characters a view into
 * the parent string — here the whole megabyte of CSV text it was cut from — so a key kept in a Map would keep
 * every chunk of the file in memory. Concatenation then slicing yields a string over a fresh copy.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Keys as the rules normalise them: `email` trims and lowercases, `exact` keeps them. */
export function normalizeKey(raw: string, mode: 'email' | 'exact'): string {
  return mode === 'email' ? raw.trim().toLowerCase() : raw;
}

/** `normalizeKeyBytes`: the key is blank. */
export const BLANK_KEY = -2;
/** `normalizeKeyBytes`: only the text path can tell (bytes beyond ASCII that trimming or lowercasing may change). */
export const TEXT_KEY = -1;

function asciiBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** ASCII lowercased by a table: one load where a test of the case mispredicts on keys of mixed case. */
const LOWER = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/** Where `normalizeKeyBytes` writes: the key's bytes (grown when short) and their hash (values/key-hash.ts). */
export interface KeyScratch {
  buf: Uint8Array;
  hash?: number;
}

/**
 * A key's bytes normalised as `normalizeKey` normalises its text, written to `out.buf` with their hash in
 * `out.hash`: their length, BLANK_KEY, or TEXT_KEY. Keys of ASCII (nearly all emails and ids) never become
 * strings, and are read once: lowercased, written and hashed four bytes at a time.
 */
export function normalizeKeyBytes(src: Uint8Array, s: number, e: number, mode: 'email' | 'exact', out: KeyScratch): number {
  if (mode === 'exact') {
    let visible = false;
    let wide = false;
    for (let i = s; i < e; i++) {
      const c = src[i]!;
      if (c >= 0x80) wide = true;
      else if (!asciiBlank(c)) {
        visible = true;
        break;
      }
    }
    if (!visible) return wide ? TEXT_KEY : BLANK_KEY;
    if (out.buf.length < e - s) out.buf = new Uint8Array(e - s);
    out.buf.set(src.subarray(s, e));
    out.hash = hashBytes(out.buf, e - s, 0);
    return e - s;
  }
  while (s < e && asciiBlank(src[s]!)) s++;
  while (e > s && asciiBlank(src[e - 1]!)) e--;
  if (s === e) return BLANK_KEY;
  if (out.buf.length < e - s) out.buf = new Uint8Array(e - s);
  const b = out.buf;
  let h = 0;
  let i = s;
  let j = 0;
  for (; i + 4 <= e; i += 4, j += 4) {
    const c0 = src[i]!;
    const c1 = src[i + 1]!;
    const c2 = src[i + 2]!;
    const c3 = src[i + 3]!;
    if ((c0 | c1 | c2 | c3) >= 0x80) return TEXT_KEY;
    const l0 = (b[j] = LOWER[c0]!);
    const l1 = (b[j + 1] = LOWER[c1]!);
    const l2 = (b[j + 2] = LOWER[c2]!);
    const l3 = (b[j + 3] = LOWER[c3]!);
    h = mixWord(h, l0 | (l1 << 8) | (l2 << 16) | (l3 << 24));
  }
  let tail = 0;
  for (let shift = 0; i < e; i++, j++, shift += 8) {
    const c = src[i]!;
    if (c >= 0x80) return TEXT_KEY;
    tail |= (b[j] = LOWER[c]!) << shift;
  }
  out.hash = finishHash(h, tail, e - s);
  return e - s;
}
