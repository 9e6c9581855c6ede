/** validate over several sample files: signals no label maps to, conditions that hold for no row, keys that meet. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

describe('funnel validate with sample exports', () => {
  it('takes several --contacts and --activities files and checks each', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': 'contacts: { key: Email }\nactivities: { type: Type, time: When }\nstages:\n  - { id: s }\n  - { id: l, when: { field: Country, present: true } }\n',
      'c1.csv': 'Email,Country\na@x.com,France\n',
      'c2.csv': 'E-mail,Country\nb@x.com,Spain\n',
      'a1.csv': 'Email,Type,When\na@x.com,Visit,2026-01-01\n',
      'a2.csv': 'Email,Kind,When\nb@x.com,Visit,2026-01-01\n',
    });
    const res = await runMain(['validate', f('r.yaml'), '--contacts', f('c1.csv'), f('c2.csv'), '--activities', f('a1.csv'), f('a2.csv')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`contacts key 'Email' is not a column of ${f('c2.csv')} — did you mean 'E-mail'?`);
    expect(res.stderr).toContain(`activities type 'Type' is not a column of ${f('a2.csv')}`);
    expect(res.stderr).not.toContain(`of ${f('c1.csv')}`);
  });

  it('warns about a signal no sample label maps to (did you mean), a condition that holds for no row, and keys that do not meet', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': 'contacts: { key: Email }\nactivities: { type: Type, time: When }\nstages:\n  - { id: s }\n  - { id: l, when: { activity: email_replied } }\n  - { id: m, when: { field: Industry, in: [Software] } }\n  - { id: n, when: { activity: [email_reply, bounce] } }\ndisqualify: [ { id: rival, when: { field: Email, domain_in: [rival.example] } } ]\n',
      'c.csv': 'Email,Industry\na@x.com,SaaS\nb@x.com,Retail\nc@x.com,SaaS\n',
      'a.csv': 'Email,Type,When\na@x.com,Email Reply,2026-01-01\nz1@x.com,Visit,2026-01-01\nz2@x.com,Visit,2026-01-01\n',
    });
    const res = await runMain(['validate', f('r.yaml'), '--contacts', f('c.csv'), '--activities', f('a.csv')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`r.yaml:5:20: signal 'email_replied' is used by the rules but no label of ${f('a.csv')} maps to it — did you mean 'email_reply' (label 'Email Reply')?`);
    expect(res.stderr).toContain(`r.yaml:6:20: the condition on 'Industry' holds for none of the 3 contact row(s) of ${f('c.csv')} — its values there are such as 'SaaS', 'Retail'`);
    expect(res.stderr).toContain(`a.csv:1:1: 2 of 3 keyed activity rows match no contact of the samples: activity key 'Email'; unmatched keys such as 'z1@x.com', 'z2@x.com'`);
    expect(res.stdout).toContain('1 of 3 keyed activity rows match a sample contact');
    // A disqualify rule holding for no one is what it is for; a condition with one signal present is fine.
    expect(res.stderr).not.toContain("condition on 'Email'");
    expect(res.stderr).not.toContain("signal 'bounce'");
  });
});
