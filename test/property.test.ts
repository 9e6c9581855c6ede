import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { classify } from '../src/commands/classify.js';
import { resolveRun } from '../src/commands/run-setup.js';
import { tempDir, writeFiles } from './helpers.js';

const RULES = 'contacts: { key: Email }\nstages:\n  - { id: s }\n  - { id: l, when: { field: Email, contains: "@" } }\n';

// Characters that exports really contain, including every delimiter, quotes, CR/LF and non-ASCII text.
const CHARS = ['a', 'Z', '0', ' ', ',', ';', '\t', '|', '"', "'", '\n', '\r\n', 'é', 'ß', '€', '–', '“', '😀', '='];
const LATIN = CHARS.filter((c) => c !== '😀' && c !== '\r\n');
const value = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 8 }).map((a) => a.join(''));

function quote(v: string): string {
  return v === '' || /^[^"\r\n,;\t|]*$/.test(v) && !/^\s|\s$/.test(v) ? v : `"${v.replace(/"/g, '""')}"`;
}

const table = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  eol: fc.constantFrom('\n', '\r\n'),
  encoding: fc.constantFrom('utf8', 'utf8bom', 'utf16le', 'windows-1252'),
  columns: fc.integer({ min: 2, max: 5 }),
  rows: fc.integer({ min: 0, max: 12 }),
  seedValues: fc.array(fc.tuple(value(CHARS), value(LATIN)), { minLength: 60, maxLength: 60 }),
  trailingEol: fc.boolean(),
});

describe('property: any CSV keeps its row count and its values', () => {
  it('annotated output has the same rows and original values as the input', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': RULES });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const latin = t.encoding === 'windows-1252';
        const header = ['Email', ...Array.from({ length: t.columns - 1 }, (_, i) => `c${i}`)];
        const rows: string[][] = [];
        let k = 0;
        for (let r = 0; r < t.rows; r++) {
          const row = [`u${r}@x.com`];
          for (let c = 1; c < t.columns; c++) {
            const pair = t.seedValues[k++ % t.seedValues.length]!;
            row.push(latin ? pair[1] : pair[0]);
          }
          rows.push(row);
        }
        const text = [header, ...rows].map((r) => r.map((v) => quote(v)).join(t.delimiter)).join(t.eol) + (t.trailingEol ? t.eol : '');
        const bytes =
          t.encoding === 'utf8' ? Buffer.from(text) : t.encoding === 'utf8bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : t.encoding === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : iconv.encode(text, 'windows-1252');
        const file = join(dir, `t${n++}.csv`);
        writeFileSync(file, bytes);
        const out = new PassThrough();
        let written = '';
        out.on('data', (d: Buffer) => (written += d.toString('utf8')));
        await classify(
          { ...resolveRun({ rules: join(dir, 'r.yaml') }, { cwd: dir, env: {} }), contacts: [file], activities: [], output: '-', format: 'csv', strict: false, prefix: 'funnel_', cwd: dir, encoding: latin ? 'windows-1252' : undefined },
          { stdout: out, warn: () => {}, note: () => {} },
        );
        const parsed = parse(written, { delimiter: detectOut(written) }) as string[][];
        expect(detectOut(written)).toBe(t.delimiter);
        expect(parsed[0]!.slice(0, header.length)).toEqual(header);
        expect(parsed.length - 1).toBe(rows.length);
        rows.forEach((r, i) => expect(parsed[i + 1]!.slice(0, header.length)).toEqual(r));
      }),
      { numRuns: 150 },
    );
  });
});

/** The output keeps the input delimiter: read it off the header, where funnel_stage follows the last input column. */
function detectOut(text: string): string {
  return /(.)funnel_stage/.exec(text)![1]!;
}
