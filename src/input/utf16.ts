/**
 * UTF-16 without a byte order mark: valid UTF-8 to a decoder (its NULs are valid bytes), it would be read as
 * text with a NUL between letters and fail confusingly later. Its zero bytes on one side tell it.
 */

/** 'utf-16le' or 'utf-16be' when the head looks like UTF-16 text without a BOM, else undefined. */
export function utf16WithoutBom(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  // Latin text in UTF-16 has a zero in nearly every pair, on the same side; other text, none.
  if (odd >= pairs * 0.4 && even <= pairs * 0.05) return 'utf-16le';
  if (even >= pairs * 0.4 && odd <= pairs * 0.05) return 'utf-16be';
  return undefined;
}
