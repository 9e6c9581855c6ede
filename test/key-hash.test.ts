import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashBytes } from '../src/values/key-hash.js';
import { BLANK_KEY, normalizeKey, normalizeKeyBytes, type KeyScratch } from '../src/values/keys.js';
import { Aggregates } from '../src/aggregate/store.js';
import { keyRecord } from './helpers.js';

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

describe('Aggregates.slotOf: the last raw field remembered', () => {
  const rec = keyRecord;
  const keys = fc.constantFrom('A@x.io', 'a@x.io', ' a@x.io', 'b@x.io', 'B@x.io', '', ' ', 'é@x.io', 'É@x.io', 'a@x.i', 'a@x.iq', 'abcd@x.io', 'abce@x.io', 'abcd@x.iq');

  it('gives the slots of a Map of the keys as each mode normalises them, modes and adds mixed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keys, fc.constantFrom('email' as const, 'exact' as const), fc.boolean()), { maxLength: 40 }), (rows) => {
        const aggs = new Aggregates(1);
        const map = new Map<string, number>();
        for (const [k, mode, add] of rows) {
          const norm = normalizeKey(k, mode);
          if (norm.trim() === '') {
            expect(aggs.slotOf(rec(k), 1, mode, add)).toBe(BLANK_KEY);
            continue;
          }
          if (add && !map.has(norm)) map.set(norm, map.size);
          expect(aggs.slotOf(rec(k), 1, mode, add)).toBe(map.get(norm) ?? -1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
