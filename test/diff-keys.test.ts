/** diff finds the key as classify does, and counts the rows it cannot compare. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

describe('funnel diff keys', () => {
  it('finds an annotated file keyed by E-mail, with the rules or by its values, and counts duplicate keys', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': "contacts: { key: E-mail }\nstages:\n  - { id: s }\n  - { id: lead, when: { field: Score, gte: 5 } }\n",
      'nokey.yaml': 'stages:\n  - { id: s }\n  - { id: lead }\n',
      'c1.csv': 'Name,E-mail,Score\nAna,ana@x.com,1\nBob,bob@x.com,9\n',
      'c2.csv': 'Name,E-mail,Score\nAna,ana@x.com,7\nBob,bob@x.com,9\nBob again,BOB@x.com,1\n,,3\n',
    });
    expect((await runMain(['classify', f('c1.csv'), '-r', f('r.yaml'), '-o', f('before.csv'), '--summary', 'none'])).code).toBe(0);
    expect((await runMain(['classify', f('c2.csv'), '-r', f('r.yaml'), '-o', f('after.csv'), '--summary', 'none'])).code).toBe(0);
    const withRules = await runMain(['diff', f('before.csv'), f('after.csv'), '-r', f('r.yaml'), '--format', 'json']);
    expect(withRules.code, withRules.stderr).toBe(0);
    const d = JSON.parse(withRules.stdout) as { changed: number; unchanged: number; duplicate_key_rows: { before: number; after: number }; empty_key_rows: { after: number } };
    expect(d).toMatchObject({ changed: 1, unchanged: 1, duplicate_key_rows: { before: 0, after: 1 }, empty_key_rows: { after: 1 } });
    expect(withRules.stderr).toMatch(/after\.csv: 1 row\(s\) repeat a key of an earlier row; only the first row of a key is compared/);
    const byValues = await runMain(['diff', f('before.csv'), f('after.csv'), '-r', f('nokey.yaml')]);
    expect(byValues.code, byValues.stderr).toBe(0);
    expect(byValues.stderr).toContain("using 'E-mail', whose values look like email addresses");
    expect(byValues.stdout).toContain('not compared: 1 row(s) repeating a key (before 0, after 1); 1 row(s) without a key');
    // The built-in rules name Email: not this file's column, so exit 3 with the hint.
    const builtIn = await runMain(['diff', f('before.csv'), f('after.csv')], { cwd: dir });
    expect(builtIn.code).toBe(3);
    expect(builtIn.stderr).toContain("before.csv:1: no key column 'Email' — did you mean 'E-mail'?");
  });
});
