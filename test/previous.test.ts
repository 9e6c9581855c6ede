/** --previous is checked: unknown stages are not copied, a previous file missing many of today's keys is said. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = 'contacts: { key: Email }\nstages: [ { id: suspect }, { id: lead, when: { field: Score, gte: 5 } } ]\n';

describe('--previous', () => {
  it('a stage the rules do not know is a warning and is not copied as funnel_previous_stage', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': RULES,
      'c.csv': 'Email,Score\na@x.com,1\nb@x.com,9\nc@x.com,1\n',
      'prev.csv': 'Email,Score,funnel_stage\na@x.com,1,"=HYPERLINK(""http://evil"")"\nb@x.com,9,suspect\nc@x.com,1,lead\n',
    });
    const res = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--previous', f('prev.csv'), '-o', '-', '--summary', 'json']);
    expect(res.code, res.stderr).toBe(0);
    const warning = `${f('prev.csv')}: 1 of 3 previous row(s) name a stage these rules do not have ('=HYPERLINK("http://evil")' ×1); not copied as funnel_previous_stage`;
    expect(res.stderr).toContain(warning);
    const rows = parse(res.stdout.slice(0, res.stdout.length), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.Email, r.funnel_previous_stage, r.funnel_stage])).toEqual([
      ['a@x.com', '', 'suspect'],
      ['b@x.com', 'suspect', 'lead'],
      // Stages never move backward: lead is kept.
      ['c@x.com', 'lead', 'lead'],
    ]);
    const summary = JSON.parse(res.stderr.slice(res.stderr.indexOf('{'))) as { warnings: string[] };
    expect(summary.warnings).toContain(warning);
  });

  it('a previous file written under other rules, or lacking many of today\'s keys, gets a warning with counts', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    const today = Array.from({ length: 20 }, (_, i) => `u${i}@x.com,1`).join('\n');
    writeFiles(dir, {
      'r.yaml': RULES,
      'c.csv': `Email,Score\n${today}\n`,
      'truncated.csv': `Email,Score,funnel_stage\n${Array.from({ length: 8 }, (_, i) => `u${i}@x.com,1,suspect`).join('\n')}\n`,
      'other.csv': `Email,Score,funnel_stage\n${Array.from({ length: 20 }, (_, i) => `u${i}@x.com,1,${i % 2 ? 'nurture' : 'engaged'}`).join('\n')}\n`,
    });
    const cut = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--previous', f('truncated.csv'), '-o', f('o1.csv'), '--summary-file', f('s.json'), '--summary', 'none']);
    expect(cut.code, cut.stderr).toBe(0);
    const warning = `${f('truncated.csv')}: the previous run holds 8 of today's 20 keyed contacts (12 missing, 8 previous keys with a known stage) — is it a truncated copy, or another export?`;
    expect(cut.stderr).toContain(warning);
    expect((JSON.parse(readFileSync(f('s.json'), 'utf8')) as { warnings: string[] }).warnings).toContain(warning);
    const other = await runMain(['classify', f('c.csv'), '-r', f('r.yaml'), '--previous', f('other.csv'), '-o', f('o2.csv'), '--summary', 'none']);
    expect(other.stderr).toContain("other.csv: 20 of 20 previous row(s) name a stage these rules do not have ('engaged' ×10, 'nurture' ×10); not copied as funnel_previous_stage — was it written under other rules?");
  });
});
