/** One CSV grammar: text of another encoding re-encoded for the byte tokenizer; csv-parse for what it does not split. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { utf8Chunks } from '../src/input/utf8.js';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

describe('decoded text back to UTF-8 bytes', () => {
  it('gives the bytes of the whole text however it is cut, a surrogate pair between two chunks too', async () => {
    const text = fc.array(fc.constantFrom('a', ',', '"', '\n', '\r\n', 'é', '€', '😀', '𝄞'), { maxLength: 40 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(80), { maxLength: 8 }), async (t, cuts) => {
        const at = [...new Set(cuts.map((c) => Math.min(t.length, c)))].sort((a, b) => a - b);
        const pieces: string[] = [];
        let from = 0;
        for (const c of [...at, t.length]) {
          pieces.push(t.slice(from, c));
          from = c;
        }
        const out: Buffer[] = [];
        for await (const b of utf8Chunks(pieces)) out.push(b);
        expect(Buffer.concat(out).equals(Buffer.from(t, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a delimiter beyond ASCII', () => {
  it('is read by csv-parse, in UTF-8 and in windows-1252 alike: the same values and line numbers', async () => {
    const dir = tempDir();
    const text = 'Email§Name§Note\na@x.com§Zoë§"two\nlines"\n\nb@x.com§Bob§€ 12\n';
    writeFiles(dir, { 'u8.csv': text, 'w.csv': Buffer.from(text.replace('€', '\x80'), 'latin1'), 'r.yaml': 'contacts: { key: Email }\nstages: [ { id: s } ]\n' });
    for (const [name, enc] of [['u8.csv', []], ['w.csv', ['--encoding', 'windows-1252']]] as const) {
      const res = await runMain(['classify', join(dir, name), '-r', join(dir, 'r.yaml'), '--delimiter', '§', '-o', '-', '--summary', 'none', '--as-of', '2026-11-15', ...enc]);
      expect(res.code, res.stderr).toBe(0);
      const rows = parse(res.stdout, { columns: true, delimiter: '§' }) as Record<string, string>[];
      expect(rows.map((r) => [r.Email, r.Name, r.Note])).toEqual([
        ['a@x.com', 'Zoë', 'two\nlines'],
        ['b@x.com', 'Bob', '€ 12'],
      ]);
    }
    // A line number counted past a quoted line break and a blank line.
    writeFiles(dir, { 'bad.csv': 'Email§Name\na@x.com§"two\nlines"\n\nb@x.com§"open\n' });
    const bad = await runMain(['classify', join(dir, 'bad.csv'), '-r', join(dir, 'r.yaml'), '--delimiter', '§', '-o', '-', '--summary', 'none']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`${join(dir, 'bad.csv')}:5: unclosed quote`);
  });
});
