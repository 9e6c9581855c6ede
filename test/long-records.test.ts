/** A quoted field swallowing many lines (a stray quote) is a warning naming its line, an error under --strict. */
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = 'contacts: { key: Email }\nactivities: { type: Type, time: When }\nstages: [ { id: s } ]\n';
const rows = (from: number, n: number): string => Array.from({ length: n }, (_, i) => `u${from + i}@x.com,note ${i}`).join('\n');

describe('a quoted field swallowing many lines', () => {
  it.each(['fast', 'csv-parse'])('is a warning naming its opening line and its length (%s)', async (parser) => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    // Line 3 opens a quote that the stray quote on line 33 closes: 31 lines in one field.
    writeFiles(dir, {
      'r.yaml': RULES,
      'c.csv': `Email,Note\n${rows(0, 1)}\nbad@x.com,"27 screen\n${rows(1, 29)}\nend@x.com,x"\n${rows(40, 3)}\n`,
      'a.csv': `Email,Type,When\na@x.com,"demo\n${'x,y,z\n'.repeat(25)}",2026-01-01\n`,
    });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', f('out.csv'), '--summary-file', f('s.json'), '--summary', 'none', '--parser', parser, '--threads', '1']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`${f('c.csv')}:3: a quoted field opened on line 3 spans 31 lines — a stray quote? check the quotes on that line`);
    expect(res.stderr).toContain(`${f('a.csv')}:2: a quoted field opened on line 2 spans 27 lines`);
    const strict = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '-o', f('strict.csv'), '--strict', '--parser', parser]);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/c\.csv:3: a quoted field opened on line 3 spans 31 lines — a stray quote\? check the quotes on that line, or run without --strict/);
    expect(existsSync(f('strict.csv'))).toBe(false);
  });

  it('is warned the same after csv-parse took over from the byte tokenizer, in UTF-8 as in UTF-16', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    // `"x"y` on line 2 hands the rest to csv-parse; line 3 opens a field of 25 lines.
    const text = `Email,Note\na@x.com,"x"y\nb@x.com,"${Array.from({ length: 25 }, () => 'l').join('\n')}"\nc@x.com,z\n`;
    writeFiles(dir, { 'r.yaml': RULES, 'u8.csv': text });
    writeFileSync(f('u16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    for (const name of ['u8.csv', 'u16.csv']) {
      const res = await runMain(['classify', f(name), '-r', f('r.yaml'), '-o', f(`${name}.out.csv`), '--summary', 'none']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain(`${f(name)}:3: a quoted field opened on line 3 spans 25 lines — a stray quote? check the quotes on that line`);
    }
  });
});
