import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BLANK_KEY, TEXT_KEY, normalizeKey, normalizeKeyBytes } from '../src/values/keys.js';
import { KeyTable } from '../src/aggregate/key-table.js';
import { Aggregates } from '../src/aggregate/store.js';
import { ByteRecord } from '../src/input/record.js';
import { classifyMem, keyRecord } from './helpers.js';

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

describe('Aggregates: scores merged from ranges', () => {
  // Contributions as the fold makes them: points, decimal points, and decayed points down to the tiny.
  const contribution = fc.oneof(
    fc.constantFrom(1, 2, 10, 30, 0.1, 0.2, 0.3, 0.7, -5),
    fc.tuple(fc.constantFrom(1, 4, 30), fc.double({ min: 0, max: 120, noNaN: true })).map(([p, decayFactor]) => p * Math.pow(0.5, decayFactor)),
  );

  it('one thread and any cut into ranges give the same score', () => {
    fc.assert(
      fc.property(fc.array(contribution, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 3 }), (events, cutSeeds) => {
        const one = new Aggregates(0);
        const slot = one.slot('k');
        for (const c of events) one.addScore(slot, c);
        const cuts = [...new Set(cutSeeds.map((s) => s % events.length))].sort((a, b) => a - b);
        const bounds = [0, ...cuts.filter((c) => c > 0), events.length];
        const merged = new Aggregates(0);
        for (let r = 0; r + 1 < bounds.length; r++) {
          const range = new Aggregates(0);
          const s = range.slot('k');
          for (const c of events.slice(bounds[r], bounds[r + 1])) range.addScore(s, c);
          merged.merge(range.data());
        }
        expect(merged.scoreOf(merged.find('k'))).toBe(one.scoreOf(slot));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps what plain addition loses: 0.1 + 0.2 + 0.3 points are a score of exactly 0.6', () => {
    const a = new Aggregates(0);
    const s = a.slot('k');
    for (const c of [0.1, 0.2, 0.3]) a.addScore(s, c);
    expect(a.scoreOf(s)).toBe(0.6);
    expect(a.scoreOf(-1)).toBe(0);
  });

  it('so a contact with 0.1 + 0.2 + 0.3 points reaches score gte 0.6, and not score gt 0.6', async () => {
    const yaml = (op: string) => `
activities: { types: { a: [A], b: [B], c: [C] } }
scoring: { points: { a: 0.1, b: 0.2, c: 0.3 } }
stages:
  - { id: base }
  - { id: hit, when: { score: { ${op}: 0.6 } } }
`;
    const events: [string, string, string][] = [
      ['ana@x.com', 'A', '2026-11-01'],
      ['ana@x.com', 'B', '2026-11-02'],
      ['ana@x.com', 'C', '2026-11-03'],
    ];
    const [gte] = await classifyMem(yaml('gte'), [{ Email: 'ana@x.com' }], events);
    expect(gte!.score).toBe(0.6);
    expect(gte!.stage).toBe('hit');
    const [gt] = await classifyMem(yaml('gt'), [{ Email: 'ana@x.com' }], events);
    expect(gt!.stage).toBe('base');
  });
});

describe('Aggregates.slotOf: the last key remembered', () => {
  const rec = (key: string): ByteRecord => {
    const r = new ByteRecord();
    r.buf = Buffer.from(`${key},x`);
    r.width = 2;
    r.starts[0] = 0;
    r.ends[0] = Buffer.byteLength(key);
    return r;
  };
  it('gives the slots of a Map of keys, whatever repeats, and an unknown key found then taken gets a slot', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('A@x.io', 'a@x.io ', 'b@x.io', 'ab@x.io', 'a@x.i', 'B@X.IO'), { maxLength: 30 }), fc.array(fc.boolean(), { maxLength: 30 }), (keys, adds) => {
        const aggs = new Aggregates(1);
        const map = new Map<string, number>();
        keys.forEach((k, i) => {
          const norm = normalizeKey(k, 'email');
          const add = adds[i] ?? true;
          if (add && !map.has(norm)) map.set(norm, map.size);
          expect(aggs.slotOf(rec(k), 0, 'email', add)).toBe(map.get(norm) ?? -1);
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Aggregates.hintedSlot: the first pass’s slot, taken again when it holds the key', () => {
  const rec = keyRecord;
  it('gives slotOf’s slot whatever the hint: right, another slot’s, out of range, none; keys as written or not', () => {
    const written = ['a@x.io', 'b@x.io', 'ab@x.io', 'é@x.io', 'A@x.io'];
    fc.assert(
      fc.property(
        fc.constantFrom('email' as const, 'exact' as const),
        fc.array(fc.tuple(fc.constantFrom(...written, ' b@x.io', 'É@x.io', 'zz@x.io', '', ' '), fc.integer({ min: -3, max: 6 })), { maxLength: 30 }),
        (mode, rows) => {
          // The keys as the first pass takes them: normalised by the mode (email: 'A@x.io' is 'a@x.io').
          const aggs = new Aggregates(1);
          const slots = new Map<string, number>();
          for (const k of written) if (!slots.has(normalizeKey(k, mode))) slots.set(normalizeKey(k, mode), aggs.slot(normalizeKey(k, mode)));
          for (const [k, hint] of rows) {
            const expected = k.trim() === '' ? BLANK_KEY : (slots.get(normalizeKey(k, mode)) ?? -1);
            expect(aggs.hintedSlot(rec(k), 1, mode, hint), `${mode} ${k} hinted ${hint}`).toBe(expected);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
