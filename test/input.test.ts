import { describe, expect, it } from 'vitest';
import { sniffDelimiter, formatFromText, formatFromName } from '../src/input/sniff.js';
import { parseDate, slashHint, utcMs } from '../src/values/dates.js';
import fc from 'fast-check';
import { parseNumber } from '../src/values/numbers.js';
import { JsonReader, SEP, type FlatRecord } from '../src/input/json.js';
import { findColumn } from '../src/values/headers.js';
import { snakeCase, thousands } from '../src/util/text.js';
import { parseDuration } from '../src/rules/duration.js';
import { decodeText } from '../src/input/decode.js';
import { InputError } from '../src/errors.js';

describe('delimiter sniffing', () => {
  it.each([
    ['Email,Name\na@x.com,Ana\n', ','],
    ['Email;Name;Note\na@x.fr;"Dupont, Ana";"1,5"\n', ';'],
    ['Email,Name\na@x.com,"Jean; Paul"\nb@x.com,Bo\n', ','],
    ['Email,Name\na@x.com,Jean; Paul\n', ','],
    ['Email\tName\ta\na@x.com\tAna\tx, y\n', '\t'],
    ['Email|Name\na|"b|c"\n', '|'],
    ['1,"x"\n2,"y"\n', ','],
    ['Email\na@x.com\n', ','],
    ['"Email";"Name, full"\n"a";"b, c"\n', ';'],
    ['Email,Notes\na,"multi\nline; with; semis"\nb,c\n', ','],
  ])('%j → %j', (text, d) => expect(sniffDelimiter(text)).toBe(d));
});

describe('format detection', () => {
  it.each([
    ['[{"a":1}]', 'json'],
    ['{"results":[{"a":1}]}', 'json'],
    ['{\n  "results": []\n}', 'json'],
    ['{"a":1}\n{"a":2}\n', 'ndjson'],
    ['\uFEFFEmail,Name', 'csv'],
  ])('%j is %s', (text, f) => expect(formatFromText(text)).toBe(f));
  it('by name, gz included', () => {
    expect(formatFromName('x.ndjson.gz')).toBe('ndjson');
    expect(formatFromName('x.jsonl')).toBe('ndjson');
    expect(formatFromName('x.JSON')).toBe('json');
    expect(formatFromName('-')).toBeUndefined();
  });
});

describe('dates', () => {
  const iso = (t: number) => (Number.isNaN(t) ? 'NaN' : new Date(t).toISOString());
  it.each([
    ['2026-10-28', 'UTC', undefined, '2026-10-28T00:00:00.000Z'],
    ['2026-10-28T14:03:00Z', 'UTC', undefined, '2026-10-28T14:03:00.000Z'],
    ['2026-10-28T14:03:00.123+02:00', 'UTC', undefined, '2026-10-28T12:03:00.123Z'],
    ['2026-10-28 14:03', 'UTC', undefined, '2026-10-28T14:03:00.000Z'],
    ['2026-10-28 14:03:09', 'Europe/Paris', undefined, '2026-10-28T13:03:09.000Z'],
    ['2026-07-01 00:30', 'Europe/Paris', undefined, '2026-06-30T22:30:00.000Z'],
    ['2026-03-29 03:30', 'Europe/Paris', undefined, '2026-03-29T01:30:00.000Z'],
    ['2026-10-28T14:03:00-0500', 'UTC', undefined, '2026-10-28T19:03:00.000Z'],
    ['28/10/2026', 'UTC', undefined, '2026-10-28T00:00:00.000Z'],
    ['10/28/2026 2:03 PM', 'UTC', undefined, '2026-10-28T14:03:00.000Z'],
    ['12/28/2026 12:15 AM', 'UTC', undefined, '2026-12-28T00:15:00.000Z'],
    ['05/03/2026', 'UTC', 'dmy', '2026-03-05T00:00:00.000Z'],
    ['05/03/2026', 'UTC', 'mdy', '2026-05-03T00:00:00.000Z'],
    ['05/03/2026', 'UTC', undefined, 'NaN'],
    ['05.03.2026', 'UTC', undefined, '2026-03-05T00:00:00.000Z'],
    ['5/3/26', 'UTC', 'dmy', '2026-03-05T00:00:00.000Z'],
    ['1790000000', 'UTC', undefined, '2026-09-21T14:13:20.000Z'],
    ['1790000000000', 'UTC', undefined, '2026-09-21T14:13:20.000Z'],
    ['2026-02-30', 'UTC', undefined, 'NaN'],
    ['31/31/2026', 'UTC', undefined, 'NaN'],
    ['yesterday', 'UTC', undefined, 'NaN'],
    ['', 'UTC', undefined, 'NaN'],
  ] as const)('%j in %s (%s)', (text, tz, order, want) => expect(iso(parseDate(text, tz, order))).toBe(want));

  it('hints the order of slash dates', () => {
    expect(slashHint('13/01/2026')).toBe('dmy');
    expect(slashHint('01/13/2026')).toBe('mdy');
    expect(slashHint('01/02/2026')).toBe('ambiguous');
    expect(slashHint('02/02/2026')).toBe('either');
    expect(slashHint('2026-01-02')).toBe('none');
  });
});

describe('numbers', () => {
  it.each([
    ['120', 120],
    [' 1,200 ', 1200],
    ['1 200', 1200],
    ['1\u00a0200', 1200],
    ['1.200,50', 1200.5],
    ['1,5', 1.5],
    ['1,234,567.8', 1234567.8],
    ['€ 300', 300],
    ['45%', 45],
    ['-3.5', -3.5],
    ['1e3', 1000],
    ['fifty', NaN],
    ['50-200', NaN],
    ['', NaN],
  ])('%j → %d', (text, n) => expect(parseNumber(text)).toBe(n));
});

describe('thousands', () => {
  it('writes whole numbers as toLocaleString en-US does, without ICU', () => {
    const n = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 999, 1000, -1000, 1e21, 1.5, NaN));
    fc.assert(
      fc.property(n, (x) => {
        expect(thousands(x)).toBe(x.toLocaleString('en-US'));
      }),
    );
  });
});

describe('names', () => {
  it.each([
    ['Email Reply', 'email_reply'],
    ['E-book download', 'e_book_download'],
    ['emailOpen', 'email_open'],
    ['Téléchargement livre blanc', 'telechargement_livre_blanc'],
    ['  Demo   Request!! ', 'demo_request'],
  ])('snake_case %j → %s', (a, b) => expect(snakeCase(a)).toBe(b));

  it('flattens nested JSON by path, arrays as their JSON text, numbers as written, in any chunking', () => {
    const text = '[{"id": 12345678901234567890, "properties": {"email": "a@x", "n": null, "ok": true, "v": 1.10}, "tags": ["a", {"b": 1e3}], "s": "\\u00e9\\"q"}]';
    for (const size of [1, 2, 7, text.length]) {
      const got: FlatRecord[] = [];
      const r = new JsonReader('t.json', 'json', { record: (f) => got.push(f) }, 1 << 20);
      for (let i = 0; i < text.length; i += size) r.feed(text.slice(i, i + size));
      r.end();
      expect(got).toEqual([
        [
          ['id', '12345678901234567890'],
          [`properties${SEP}email`, 'a@x'],
          [`properties${SEP}n`, ''],
          [`properties${SEP}ok`, 'true'],
          [`properties${SEP}v`, '1.10'],
          ['tags', '["a",{"b":1e3}]'],
          ['s', 'é"q'],
        ],
      ]);
    }
  });

  it('finds columns exactly, loosely, and by a unique flattened suffix', () => {
    const h = ['id', 'properties.Email', 'properties.industry', 'company.industry', ' Country '];
    expect(findColumn(h, 'id').index).toBe(0);
    expect(findColumn(h, 'Email').index).toBe(1);
    expect(findColumn(h, 'country').index).toBe(4);
    expect(findColumn(h, 'Industry')).toEqual({ index: -1, ambiguous: ['properties.industry', 'company.industry'] });
    expect(findColumn(h, 'nothing').index).toBe(-1);
  });

  it('reads durations', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('6mo')).toBe(180 * 86_400_000);
    expect(parseDuration('1y')).toBe(365 * 86_400_000);
    expect(parseDuration('1.5d')).toBe(1.5 * 86_400_000);
    expect(parseDuration('90')).toBeUndefined();
    expect(parseDuration('90 days')).toBeUndefined();
  });
});

describe('utcMs', () => {
  it('is Date.UTC for every valid date and time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 999 }), (y, mo, d, h, mi, s, ms) => {
        expect(utcMs(y, mo, d, h, mi, s, ms)).toBe(Date.UTC(y, mo - 1, d, h, mi, s, ms));
      }),
      { numRuns: 20_000 },
    );
    // Month ends and leap days, which the property's days stop short of.
    for (const [y, mo, d] of [[2024, 2, 29], [2000, 2, 29], [1900, 2, 28], [2026, 12, 31], [1969, 12, 31], [1600, 3, 1]] as const) expect(utcMs(y, mo, d, 23, 59, 59, 999)).toBe(Date.UTC(y, mo - 1, d, 23, 59, 59, 999));
  });
});

describe('decodeText', () => {
  it('names the line of the first invalid UTF-8 byte, however the bytes are cut into chunks', async () => {
    const line = fc.array(fc.constantFrom('a', 'é', '€', '𝄞', ',', '"'), { maxLength: 30 }).map((cs) => cs.join(''));
    // A lone continuation byte, a lead byte without its continuation, a character cut short, an overlong form, 0xFF.
    const invalid = fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9d, 0x84], [0xc0, 0xaf], [0xff]);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.nat(), fc.nat(), invalid, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), async (lines, at, col, wrong, sizes) => {
        const bad = at % lines.length;
        const bytes = lines.map((l, i) => {
          const b = Buffer.from(l + '\n');
          if (i !== bad) return b;
          // Put between two characters of the line.
          const cut = [...l].slice(0, col % (l.length + 1)).join('').length;
          const k = Buffer.byteLength(l.slice(0, cut));
          return Buffer.concat([b.subarray(0, k), Buffer.from(wrong), b.subarray(k)]);
        });
        const all = Buffer.concat(bytes);
        const chunks: Buffer[] = [];
        for (let i = 0, s = 0; i < all.length; s++) {
          const n = sizes[s % sizes.length]!;
          chunks.push(all.subarray(i, i + n));
          i += n;
        }
        const rest = (async function* () {
          yield* chunks.slice(1);
        })();
        let error: unknown;
        try {
          for await (const _ of decodeText({ encoding: 'utf-8', head: chunks[0]!, skipped: 0, ended: chunks.length === 1, rest }, 'f.csv', 5)) void _;
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toBe(`invalid UTF-8 on line ${bad + 5}`);
      }),
      { numRuns: 1000 },
    );
  });
});
