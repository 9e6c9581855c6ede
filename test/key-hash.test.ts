import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashBytes } from '../src/values/key-hash.js';
import { normalizeKeyBytes, type KeyScratch } from '../src/values/keys.js';

describe('hashBytes', () => {
  it.each([
    ['', 0],
    ['abc', 0xb3dd93fa],
    ['abcd', 0x43ed676a],
    ['hello', 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0x2e4ff723],
  ])('is MurmurHash3 (x86, 32 bits, seed 0) of %j', (text, want) => {
    const b = Buffer.from(`,,${text},`);
    expect(hashBytes(b, b.length - 3, 2) >>> 0).toBe(want);
  });
});

describe('normalizeKeyBytes hashes what it writes', () => {
  const chars = ['a', 'B', 'z', 'Q', '@', '.', '0', ' ', '\t', 'é', 'É'];
  for (const mode of ['email', 'exact'] as const) {
    it(mode, () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (parts, pad) => {
          const bytes = Buffer.concat([Buffer.alloc(pad, 0x2c), Buffer.from(parts.join(''), 'utf8')]);
          const out: KeyScratch = { buf: new Uint8Array(1), hash: 0 };
          const n = normalizeKeyBytes(bytes, pad, bytes.length, mode, out);
          if (n >= 0) expect(out.hash).toBe(hashBytes(out.buf, n, 0));
        }),
        { numRuns: 2000 },
      );
    });
  }
});
