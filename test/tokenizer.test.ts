import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { parseCsvWithCsvParse, type CsvRecord } from '../src/input/csv.js';
import { InputError } from '../src/errors.js';
import { csvBytes } from '../src/input/csv-bytes.js';
import type { Rec } from '../src/input/record.js';
import { csvLine } from '../src/output/rows.js';
import { utf8Chunks } from '../src/input/utf8.js';
import { FieldTexts } from '../src/input/field-texts.js';

/**
 * The path of text decoded from another encoding (windows-1252, UTF-16…): re-encoded to UTF-8 chunk by chunk and
 * read by the byte tokenizer, the one grammar.
 */
async function* parseCsv(text: AsyncIterable<string>, o: { file: string; delimiter: string; maxRecordSize: number }): AsyncGenerator<CsvRecord> {
  const bytes = utf8Chunks(text);
  const first = await bytes.next();
  const { pump } = csvBytes(first.done ? Buffer.alloc(0) : first.value, first.done === true, bytes, o);
  const batch: CsvRecord[] = [];
  const visit = (r: Rec): void => {
    batch.push({ fields: Array.from({ length: r.width }, (_, i) => r.field(i)), line: r.line });
  };
  for (let more = true; more; ) {
    more = (await pump(visit)) !== 'end';
    yield* batch;
    batch.length = 0;
  }
}

/** The byte path's records: bytes cut anywhere (inside a character too), the first cut after the BOM. */
async function collectBytes(text: string, cuts: number[], delimiter: string): Promise<Outcome> {
  const bytes = Buffer.from(text, 'utf8');
  const at = [...new Set(cuts.map((c) => Math.min(bytes.length, c + 3)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    if (c > from) parts.push(bytes.subarray(from, c));
    from = Math.max(from, c);
  }
  if (from < bytes.length || parts.length === 0) parts.push(bytes.subarray(from));
  const [head, ...tail] = parts;
  async function* rest(): AsyncGenerator<Buffer> {
    yield* tail;
  }
  const records: CsvRecord[] = [];
  try {
    const { pump } = csvBytes(head!, tail.length === 0, rest(), { file: 'f.csv', delimiter, maxRecordSize: 1 << 20 });
    const line = csvLine(delimiter);
    const visit = (r: Rec): void => {
      const fields = Array.from({ length: r.width }, (_, i) => r.field(i));
      // A record's own text is used for output only when the writer would write its fields exactly so.
      const plain = r.plainBytes();
      if (plain !== undefined) expect(`${Buffer.from(plain).toString('utf8')}\n`).toBe(line(fields));
      records.push({ fields, line: r.line });
    };
    while ((await pump(visit)) !== 'end');
    return { records };
  } catch (e) {
    if (e instanceof InputError) return { error: e.format() };
    throw e;
  }
}

/** Text in chunks cut at the given places, never inside a surrogate pair (decoders never cut there). */
async function* chunks(text: string, cuts: number[]): AsyncGenerator<string> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    let k = Math.min(text.length, c);
    if (k > 0 && k < text.length && /[\ud800-\udbff]/.test(text[k - 1]!)) k++;
    if (k > at) {
      yield text.slice(at, k);
      at = k;
    }
  }
  if (at < text.length) yield text.slice(at);
}

type Outcome = { records: CsvRecord[] } | { error: string };

async function collect(gen: AsyncGenerator<CsvRecord>): Promise<Outcome> {
  const records: CsvRecord[] = [];
  try {
    // Fields and start lines are compared; `lines` (the span, for long-field warnings) is tested apart.
    for await (const r of gen) records.push({ fields: r.fields, line: r.line });
    return { records };
  } catch (e) {
    if (e instanceof InputError) return { error: e.format() };
    throw e;
  }
}

/**
 * csv-parse counts a CRLF inside a quoted field as two lines; the tokenizer, like an editor, as one. Records must
 * agree exactly always, lines wherever no quoted field holds a CRLF.
 */
function agree(fast: Outcome, oracle: Outcome, text: string): void {
  const crlfInQuotes = /"[^"]*\r\n/.test(text);
  if (crlfInQuotes && 'records' in fast && 'records' in oracle) {
    expect(fast.records.map((r) => r.fields)).toEqual(oracle.records.map((r) => r.fields));
  } else if (crlfInQuotes && 'error' in fast && 'error' in oracle) {
    expect(fast.error.replace(/:\d+:/, ':N:')).toBe(oracle.error.replace(/:\d+:/, ':N:'));
  } else expect(fast).toEqual(oracle);
}

const opts = (delimiter: string) => ({ file: 'f.csv', delimiter, maxRecordSize: 1 << 20 });

describe('the byte tokenizer, on UTF-8 and on re-encoded text, against csv-parse (the oracle)', () => {
  // Pieces of CSV text, the odd ones included: stray quotes, text after a closing quote, lone CRs, blank lines.
  const piece = fc.constantFrom('a', 'bc', ' ', '\u00a0', '\v', 'é', '😀', '"', '""', '"x"', '"x""y"', '"multi\nline"', '"cr\r\nlf"', ',', ';', '\t', '|', '\n', '\r\n', '\r', '\n\n', '  \n', '"q"z', 'x"y');
  it('gives the same records, lines and errors for any text and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.constantFrom(',', ';', '\t', '|'), fc.array(fc.nat(200), { maxLength: 6 }), fc.boolean(), async (pieces, delim, cuts, bom) => {
        const text = (bom ? '\uFEFF' : '') + pieces.join('');
        const fast = await collect(parseCsv(chunks(text, cuts), opts(delim)));
        const oracle = await collect(parseCsvWithCsvParse(chunks(text, []), opts(delim)));
        agree(fast, oracle, text);
        agree(await collectBytes(text, cuts, delim), oracle, text);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on the csv-spectrum files', async () => {
    const require = createRequire(import.meta.url);
    const spectrum = require('csv-spectrum') as (cb: (err: unknown, items: { name: string; csv: Buffer; json: Buffer }[]) => void) => void;
    const items = await new Promise<{ name: string; csv: Buffer; json: Buffer }[]>((res, rej) => spectrum((e, i) => (e ? rej(e) : res(i))));
    expect(items.length).toBeGreaterThan(10);
    for (const item of items) {
      const text = item.csv.toString('utf8');
      const fast = await collect(parseCsv(chunks(text, [1, 7, 13]), opts(',')));
      const oracle = await collect(parseCsvWithCsvParse(chunks(text, []), opts(',')));
      agree(fast, oracle, text);
      agree(await collectBytes(text, [1, 7, 13], ','), oracle, text);
      // And against the expected objects of the suite.
      // csv-spectrum's JSON for location_coordinates holds another phone number than its CSV.
      if ('records' in fast && fast.records.length && item.name !== 'location_coordinates') {
        const [head, ...rows] = fast.records.map((r) => r.fields);
        const objects = rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
        const expected = JSON.parse(item.json.toString('utf8')) as unknown;
        expect(objects, item.name).toEqual(Array.isArray(expected) ? expected : [expected]);
      }
    }
  });

  it('hands text after a closing quote to csv-parse, keeping line numbers', async () => {
    const text = 'a,b\n1,2\n"x"y,3\n"multi\nline",4\n5,6\n';
    const r = await collect(parseCsv(chunks(text, [3]), opts(',')));
    expect(await collectBytes(text, [3], ',')).toEqual(r);
    expect(r).toEqual({
      records: [
        { fields: ['a', 'b'], line: 1 },
        { fields: ['1', '2'], line: 2 },
        { fields: ['"x"y', '3'], line: 3 },
        { fields: ['multi\nline', '4'], line: 4 },
        { fields: ['5', '6'], line: 6 },
      ],
    });
  });

  it('reports an unclosed quote at the line where it opens', async () => {
    const r = await collect(parseCsv(chunks('a,b\n1,2\n\n3,"4\n5,6\n', [5]), opts(',')));
    expect(await collectBytes('a,b\n1,2\n\n3,"4\n5,6\n', [5], ',')).toEqual(r);
    expect(r).toEqual({ error: 'f.csv:4: unclosed quote: the quoted field opened on this line runs to the end of the file — close the quote, or double the quote characters inside the field' });
  });
});

describe('FieldTexts: a column’s fields decoded once per distinct value', () => {
  it('gives every field’s own text, repeated or not, quoted or not, before and after its trial', async () => {
    const value = fc.oneof(
      fc.constantFrom('SaaS', 'Software', 'saas', 'Säas', '10 000', '1,200', 'a"b', '', ' x ', 'é', '😀', 'x'.repeat(60)),
      fc.string({ maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6000 }), async (rows, repeat) => {
        // Enough rows to pass the trial (4096 lookups) on the repeated column; the second column cycles through more.
        const lines = Array.from({ length: Math.max(rows.length, repeat) }, (_, i) => rows[i % rows.length]!);
        const text = `a,b\n${lines.map(([x, y], i) => csvLine(',')([x, `${y}${i % 97}`])).join('')}`;
        const texts = new FieldTexts();
        const got: string[][] = [];
        const want: string[][] = [];
        const pump = csvBytes(Buffer.from(text), true, (async function* () {})(), { file: 't.csv', delimiter: ',', maxRecordSize: 1 << 20 });
        for (let state = 'more'; state !== 'end'; ) {
          state = await pump.pump((r) => {
            got.push([texts.field(r, 0), texts.field(r, 1), texts.field(r, 5)]);
            want.push([r.field(0), r.field(1), r.field(5)]);
          });
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });
});
