/** The column rule (SPEC §2): a column the rules name and a file lacks is exit 3; a key is chosen only when none is named. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

function setup(files: Record<string, string>): (name: string) => string {
  const dir = tempDir();
  writeFiles(dir, files);
  return (name) => join(dir, name);
}

const RULES = 'contacts: { key: Email }\nactivities: { type: Kind, time: When }\nfields: { title: Job Title }\nstages:\n  - { id: s }\n  - { id: lead, when: { all: [ { activity: demo }, { field: title, present: true } ] } }\n';

describe('a column the rules name and a file lacks', () => {
  it('is exit 3 in classify, with the columns and a did-you-mean, nothing written', async () => {
    const f = setup({ 'c.csv': 'E-mail,Job Title\na@x.com,CTO\n', 'a.csv': 'Email,Kind,When\na@x.com,demo,2026-01-01\n', 'r.yaml': RULES });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/c\.csv:1: no key column 'Email' — did you mean 'E-mail'\? set contacts\.key in the rules to one of: E-mail, Job Title$/m);
    expect(res.stdout).toBe('');
  });

  it('is exit 3 in explain too', async () => {
    const f = setup({ 'c.csv': 'E-mail,Job Title\na@x.com,CTO\n', 'a.csv': 'Email,Kind,When\na@x.com,demo,2026-01-01\n', 'r.yaml': RULES });
    const res = await runMain(['explain', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--contact', 'a@x.com']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("no key column 'Email' — did you mean 'E-mail'?");
  });

  it('an activity type or time column the rules name is exit 3 (the key falls back to contacts.key by name)', async () => {
    const f = setup({ 'c.csv': 'Email,Job Title\na@x.com,CTO\n', 'a.csv': 'Email,Kinds,When\na@x.com,demo,2026-01-01\n', 'b.csv': 'Mail,Kind,When\na@x.com,demo,2026-01-01\n', 'r.yaml': RULES });
    const type = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(type.code).toBe(3);
    expect(type.stderr).toMatch(/a\.csv:1: no activity type column 'Kind' — did you mean 'Kinds'\? set activities\.type in the rules to one of: Email, Kinds, When$/m);
    const key = await runMain(['classify', f('c.csv'), '-a', f('b.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(key.code).toBe(3);
    expect(key.stderr).toMatch(/b\.csv:1: no key column 'Email' — .*set activities\.key in the rules to one of: Mail, Kind, When$/m);
  });

  it('a field column the rules name is exit 3; with the built-in rules a warning that reaches the summary JSON', async () => {
    const f = setup({ 'c.csv': 'Email,JobTitel\na@x.com,CTO\n', 'a.csv': 'Email,Kind,When\na@x.com,demo,2026-01-01\n', 'r.yaml': RULES });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/c\.csv:1: no column 'Job Title' for the field 'title' of the rules — did you mean 'JobTitel'\? set fields\.title in the rules to one of: Email, JobTitel$/m);
    const builtIn = await runMain(['--quiet', 'classify', f('c.csv'), '-o', '-', '--summary', 'json']);
    expect(builtIn.code).toBe(0);
    const summary = JSON.parse(builtIn.stderr) as { warnings: string[] };
    expect(summary.warnings.join('\n')).toMatch(/the built-in rules read columns these contacts do not have, read as empty: industry \(Industry\), employees \(Number of Employees\)/);
  });

  it('finds a column ignoring case, spaces and underscores (JobTitle, job_title for Job Title), not hyphens', async () => {
    for (const header of ['JobTitle', 'job_title', 'JOB TITLE']) {
      const f = setup({ 'c.csv': `Email,${header}\na@x.com,CTO\n`, 'a.csv': 'Email,Kind,When\na@x.com,demo,2026-01-01\n', 'r.yaml': RULES });
      const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-02-01', '-o', '-', '--summary', 'none']);
      expect(res.code, res.stderr).toBe(0);
      expect((parse(res.stdout, { columns: true }) as Record<string, string>[])[0]!.funnel_stage).toBe('lead');
    }
  });

  it('two columns matching a name equally are an error naming them', async () => {
    const f = setup({ 'c.csv': 'Email,Job Title,JobTitle\na@x.com,CTO,CEO\n', 'a.csv': 'Email,Kind,When\n', 'r.yaml': RULES });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(res.code).toBe(0);
    // The exact name wins over loose matches.
    const g = setup({ 'c.csv': 'Email,job title,JobTitle\na@x.com,CTO,CEO\n', 'a.csv': 'Email,Kind,When\n', 'r.yaml': RULES });
    const tie = await runMain(['classify', g('c.csv'), '-a', g('a.csv'), '-r', g('r.yaml'), '-o', '-']);
    expect(tie.code).toBe(3);
    expect(tie.stderr).toContain("the field column 'Job Title' matches several columns equally (job title, JobTitle)");
  });
});

describe('only when the rules name no key is one chosen, by its values', () => {
  it('takes the column whose values look like email addresses (not the one called Email), and says so', async () => {
    const f = setup({
      'c.csv': 'Email,Contact,Name\nyes,ana@x.com,Ana\nno,bob@y.org,Bob\n,,Carl\n',
      'a.csv': 'who,Activity Type,Activity Date\nana@x.com,demo,2026-01-01\n',
      'r.yaml': 'stages:\n  - { id: s }\n  - { id: lead, when: { activity: demo } }\n',
    });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-02-01', '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/c\.csv: the rules name no key column; using 'Contact', whose values look like email addresses — set contacts\.key to choose/);
    expect(res.stderr).toMatch(/a\.csv: the rules name no key column; using 'who'/);
    const rows = parse(res.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.funnel_stage)).toEqual(['lead', 's', 's']);
  });

  it('is exit 3 when no column holds emails', async () => {
    const f = setup({ 'c.csv': 'Email,Name\nyes,Ana\n', 'r.yaml': 'stages: [ { id: s } ]\n' });
    const res = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '-o', '-']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/c\.csv:1: the rules name no key column, and no column holds values that look like email addresses — set contacts\.key in the rules to one of: Email, Name$/m);
  });
});
