/** Title lines before the header: --skip-lines, and `#` comments that never decide the delimiter. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';
import { sniffDelimiter } from '../src/input/sniff.js';

const RULES = 'contacts: { key: Email }\nstages: [ { id: s } ]\n';

describe('title lines', () => {
  it.each(['fast', 'csv-parse'])('--skip-lines N skips them; lines still count from the top (%s)', async (parser) => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': RULES,
      'c.csv': 'Contacts report, all regions\nExported 2026-11-15; by admin\nEmail;Name\na@x.com;Ana\nb@x.com;"Bob\n',
      'u16.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Title line\nEmail,Name\na@x.com,Zoë\n', 'utf16le')]),
    });
    const res = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--skip-lines', '2', '-o', '-', '--summary', 'none', '--parser', parser]);
    // The unclosed quote on line 5 is named by its line in the file.
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/c\.csv:5/);
    writeFiles(dir, { 'c.csv': 'Contacts report, all regions\nExported 2026-11-15; by admin\nEmail;Name\na@x.com;Ana\nb@x.com;Bob\n' });
    const ok = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--skip-lines', '2', '-o', '-', '--summary', 'none', '--parser', parser]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((parse(ok.stdout, { columns: true, delimiter: ';' }) as Record<string, string>[]).map((r) => [r.Email, r.Name])).toEqual([['a@x.com', 'Ana'], ['b@x.com', 'Bob']]);
    const u16 = await runMain(['classify', f('u16.csv'), '-r', f('r.yaml'), '--skip-lines', '1', '-o', '-', '--summary', 'none', '--parser', parser]);
    expect(u16.code, u16.stderr).toBe(0);
    expect((parse(u16.stdout, { columns: true }) as Record<string, string>[])[0]).toMatchObject({ Email: 'a@x.com', Name: 'Zoë' });
    const bad = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--skip-lines', 'two']);
    expect(bad.code).toBe(2);
  });

  it('a # comment line before the header never decides the delimiter', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, { 'r.yaml': RULES, 'c.csv': '# exported by CRM, 3 columns, comma, separated, values\nEmail;Name;Note\na@x.com;Ana;x\n' });
    const res = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--skip-lines', '1', '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.split('\n')[0]).toMatch(/^Email;Name;Note;funnel_stage/);
    // Without --skip-lines the comment is the header: the delimiter is still ';', and the error says what to do.
    const noSkip = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '-o', '-', '--summary', 'none']);
    expect(noSkip.code).toBe(3);
    expect(noSkip.stderr).toMatch(/c\.csv:1: no key column 'Email' — set contacts\.key in the rules to one of: # exported by CRM, 3 columns, comma, separated, values \(the first line looks like a comment: --skip-lines 1 skips it\)$/m);
    expect(sniffDelimiter('# a, b, c, d\nEmail;Name\na;b\n')).toBe(';');
  });
});
