/** Dates in the rules' timezone in reasons and explain; YYYYMMDD dates read. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

describe('evidence dates', () => {
  it('are days in activities.timezone, in the reason and in explain', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': 'contacts: { key: Email }\nactivities: { type: Type, time: When, timezone: Europe/London }\nstages: [ { id: s }, { id: lead, when: { activity: demo } } ]\n',
      'c.csv': 'Email\na@x.com\n',
      // Local midnight in London (BST): 2026-06-30T23:00Z.
      'a.csv': 'Email,Type,When\na@x.com,demo,2026-07-01 00:00\n',
    });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-08-01', '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect((parse(res.stdout, { columns: true }) as Record<string, string>[])[0]!.funnel_reason).toContain('demo 2026-07-01');
    const ex = await runMain(['explain', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-08-01', '--contact', 'a@x.com']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toMatch(/demo +1 event +last 2026-07-01/);
    // Instants are shown with their zone (…T23:00:00Z); a bare day is always the rules' timezone's.
    expect(ex.stdout).not.toMatch(/2026-06-30(?!T)/);
    const json = await runMain(['explain', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-08-01', '--contact', 'a@x.com', '--format', 'json']);
    expect((JSON.parse(json.stdout) as { signals: { last: string; last_day: string }[] }).signals[0]).toMatchObject({ last: '2026-06-30T23:00:00Z', last_day: '2026-07-01' });
  });

  it('YYYYMMDD dates are read (in windows too)', async () => {
    const dir = tempDir();
    const f = (n: string): string => join(dir, n);
    writeFiles(dir, {
      'r.yaml': 'contacts: { key: Email }\nactivities: { type: Type, time: When }\nstages: [ { id: s }, { id: lead, when: { activity: demo, within: 30d } } ]\n',
      'c.csv': 'Email\na@x.com\nb@x.com\n',
      'a.csv': 'Email,Type,When\na@x.com,demo,20261105\nb@x.com,demo,20250101\n',
    });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.csv'), '-r', f('r.yaml'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toContain('unparsable');
    expect((parse(res.stdout, { columns: true }) as Record<string, string>[]).map((r) => r.funnel_stage)).toEqual(['lead', 's']);
  });
});
