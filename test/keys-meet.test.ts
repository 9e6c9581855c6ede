/** Keys that do not meet, and keys that differ only in case: said, in the summary, and fatal under --strict. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = 'contacts: { key: Email }\nactivities: { key: Contact, type: Type, time: Date }\nstages: [ { id: s }, { id: lead, when: { activity: demo } } ]\n';

describe('keys that do not meet', () => {
  const files = {
    'c.csv': 'Email\na@x.com\nb@x.com\n',
    // Ids where the contacts have emails: 3 of 4 keyed rows match no contact.
    'a.csv': 'Contact,Type,Date\n0031,demo,2026-01-01\n0032,demo,2026-01-01\n0033,demo,2026-01-01\na@x.com,demo,2026-01-01\n,demo,2026-01-01\n',
    'ok.csv': 'Contact,Type,Date\na@x.com,demo,2026-01-01\nzz@x.com,demo,2026-01-01\n',
    'r.yaml': RULES,
  };

  it('more than half of the keyed rows matching no contact is a warning naming both key columns and a few keys, in the summary', async () => {
    const dir = tempDir();
    writeFiles(dir, files);
    const f = (n: string): string => join(dir, n);
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), f('ok.csv'), '-r', f('r.yaml'), '-o', f('out.csv'), '--summary-file', f('s.json'), '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    const message = `${f('a.csv')}: 3 of 4 keyed activity rows (75%) match no contact: activity key 'Contact' vs contacts key 'Email'; unmatched keys such as '0031', '0032', '0033'`;
    expect(res.stderr).toContain(message);
    // Half or less: no warning for ok.csv.
    expect(res.stderr).not.toContain('ok.csv: 1 of 2');
    const s = JSON.parse(readFileSync(f('s.json'), 'utf8')) as { warnings: string[]; inputs: { activities: { unmatched: number }[] } };
    expect(s.warnings.some((w) => w.startsWith(message))).toBe(true);
    expect(s.inputs.activities.map((a) => a.unmatched)).toEqual([3, 1]);
  });

  it('--strict fails, nothing written', async () => {
    const dir = tempDir();
    writeFiles(dir, files);
    const f = (n: string): string => join(dir, n);
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', f('out.csv'), '--strict']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/a\.csv: 3 of 4 keyed activity rows \(75%\) match no contact.* — check that activities\.key and contacts\.key name the same identifier \(and contacts\.normalize\), or run without --strict/);
    expect(existsSync(f('out.csv'))).toBe(false);
  });
});

describe('keys that differ only in case', () => {
  it('are a warning with the hint normalize: exact when they are not emails; emails differing in case are not', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'c.csv': 'Id,Email\n0031G00000q9jPQAQ,a@x.com\n0031G00000q9jpqaq,b@x.com\n0031G00000q9jXYZQ,c@x.com\n',
      'e.csv': 'Id,Email\n1,Ana@X.com\n2,ana@x.com\n',
      'r.yaml': 'contacts: { key: Id }\nstages: [ { id: s } ]\n',
      're.yaml': 'contacts: { key: Email }\nstages: [ { id: s } ]\n',
    });
    const f = (n: string): string => join(dir, n);
    const res = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '-o', '-', '--summary', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const warning = `${f('c.csv')}: 1 key(s) that are not email addresses differ only in case (e.g. '0031G00000q9jPQAQ' and '0031G00000q9jpqaq') and are read as one contact (duplicate key) — set contacts.normalize: exact if case matters`;
    expect(res.stderr).toContain(warning);
    const summary = JSON.parse(res.stderr.slice(res.stderr.indexOf('{'))) as { warnings: string[] };
    expect(summary.warnings).toContain(warning);
    const emails = await runMain(['classify', f('e.csv'), '-r', f('re.yaml'), '-o', '-', '--summary', 'none']);
    expect(emails.stderr).not.toContain('differ only in case');
  });
});
