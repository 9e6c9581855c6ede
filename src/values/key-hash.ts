/**
 * MurmurHash3 (x86, 32 bits, seed 0) of join keys, four bytes a round: what the key table hashes with, and what
 * `normalizeKeyBytes` computes while it writes a key, so that the fold reads each key's bytes once. And keys
 * compared, four bytes a test.
 */

/** One round: the hash so far with the next four bytes (little-endian). */
export function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  h ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The end: the last one to three bytes (`tail`, little-endian; 0 when none) and the length mixed in. */
export function finishHash(h: number, tail: number, len: number): number {
  if (len & 3) {
    const k = Math.imul(tail, 0xcc9e2d51);
    h ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of the bytes `b[at, at + len)`. */
export function hashBytes(b: Uint8Array, len: number, at: number): number {
  let h = 0;
  const e = at + len;
  let i = at;
  for (; i + 4 <= e; i += 4) h = mixWord(h, b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
  let tail = 0;
  for (let j = e - 1; j >= i; j--) tail = (tail << 8) | b[j]!;
  return finishHash(h, tail, len);
}

/**
 * Whether `a[as, as + len)` and `b[bs, bs + len)` hold the same bytes, four a test: a key found is compared to its
 * end, and a branch a byte costs more than the loads.
 */
export function sameBytes(a: Uint8Array, as: number, b: Uint8Array, bs: number, len: number): boolean {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const d = (a[as + i]! ^ b[bs + i]!) | (a[as + i + 1]! ^ b[bs + i + 1]!) | (a[as + i + 2]! ^ b[bs + i + 2]!) | (a[as + i + 3]! ^ b[bs + i + 3]!);
    if (d !== 0) return false;
  }
  for (; i < len; i++) if (a[as + i] !== b[bs + i]) return false;
  return true;
}
