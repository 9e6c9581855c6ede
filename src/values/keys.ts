/** Join keys as the rules normalise them, and kept without their source text. */

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

/**
 * A key's bytes normalised as `normalizeKey` normalises its text, written to `out.buf` (grown when short): their
 * length, BLANK_KEY, or TEXT_KEY. Keys of ASCII (nearly all emails and ids) never become strings.
 */
export function normalizeKeyBytes(src: Uint8Array, s: number, e: number, mode: 'email' | 'exact', out: { buf: Uint8Array }): number {
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
    return e - s;
  }
  while (s < e && asciiBlank(src[s]!)) s++;
  while (e > s && asciiBlank(src[e - 1]!)) e--;
  if (s === e) return BLANK_KEY;
  if (out.buf.length < e - s) out.buf = new Uint8Array(e - s);
  const b = out.buf;
  for (let i = s; i < e; i++) {
    const c = src[i]!;
    if (c >= 0x80) return TEXT_KEY;
    b[i - s] = c >= 65 && c <= 90 ? c + 32 : c;
  }
  return e - s;
}
