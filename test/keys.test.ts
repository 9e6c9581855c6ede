import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BLANK_KEY, TEXT_KEY, normalizeKey, normalizeKeyBytes } from '../src/input/keys.js';
import { KeyTable } from '../src/aggregate/key-table.js';

// Keys as exports have them: case, blanks of every kind around them (NBSP, ideographic space), non-ASCII letters.
const KEY_CHARS = ['a', 'B', 'z', 'Q', '@', '.', '0', ' ', '\t', '\r', '\u00a0', '\u3000', 'É', 'é', 'ß', 'İ', '😀'];
const rawKey = fc.array(fc.constantFrom(...KEY_CHARS), { maxLength: 12 }).map((a) => a.join(''));

describe('normalizeKeyBytes agrees with normalizeKey', () => {
  for (const mode of ['email', 'exact'] as const) {
    it(`${mode}: same bytes, blank or handed to the text path`, () => {
      fc.assert(
        fc.property(rawKey, fc.integer({ min: 0, max: 3 }), (raw, pad) => {
          const text = normalizeKey(raw, mode);
          // The key sits inside a larger buffer, as a field does in a record.
          const bytes = Buffer.concat([Buffer.alloc(pad, 0x2c), Buffer.from(raw, 'utf8'), Buffer.alloc(pad, 0x2c)]);
          const out = { buf: new Uint8Array(2) };
          const n = normalizeKeyBytes(bytes, pad, bytes.length - pad, mode, out);
          if (n === TEXT_KEY) {
            expect(/[^\x00-\x7f]/.test(raw)).toBe(true);
            return;
          }
          if (n === BLANK_KEY) expect(text.trim()).toBe('');
          else {
            expect(text.trim()).not.toBe('');
            expect(Buffer.from(out.buf.subarray(0, n)).toString('utf8')).toBe(text);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('lowercases and trims ASCII emails without a string', () => {
    const out = { buf: new Uint8Array(0) };
    const src = Buffer.from('  Ana.Lopez@Example.COM\t');
    const n = normalizeKeyBytes(src, 0, src.length, 'email', out);
    expect(Buffer.from(out.buf.subarray(0, n)).toString()).toBe('ana.lopez@example.com');
  });
});

describe('KeyTable', () => {
  it('gives each distinct key one slot, in first-seen order, like a Map', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3000 }), (keys) => {
        const table = new KeyTable();
        const ref = new Map<string, number>();
        for (const k of keys) {
          const b = Buffer.from(k, 'utf8');
          if (!ref.has(k)) ref.set(k, ref.size);
          expect(table.intern(b, b.length)).toBe(ref.get(k));
        }
        expect(table.size).toBe(ref.size);
        for (const [k, slot] of ref) {
          const b = Buffer.from(k, 'utf8');
          expect(table.find(b, b.length)).toBe(slot);
        }
        const absent = Buffer.from('\u0000absent');
        expect(table.find(absent, absent.length)).toBe(-1);
      }),
      { numRuns: 50 },
    );
  });

  it('reads only the first len bytes of the buffer it is given', () => {
    const table = new KeyTable();
    const a = Buffer.from('abcXYZ');
    expect(table.intern(a, 3)).toBe(0);
    expect(table.find(Buffer.from('abc'), 3)).toBe(0);
    expect(table.find(a, 6)).toBe(-1);
    expect(table.intern(Buffer.from('abcQQQ'), 3)).toBe(0);
  });

  it('grows past its first arena, slot arrays and table', () => {
    const table = new KeyTable();
    const long = 'x'.repeat(300);
    for (let i = 0; i < 50_000; i++) {
      const b = Buffer.from(`${long}${i}`);
      expect(table.intern(b, b.length)).toBe(i);
    }
    for (let i = 0; i < 50_000; i += 997) {
      const b = Buffer.from(`${long}${i}`);
      expect(table.find(b, b.length)).toBe(i);
    }
  });
});
