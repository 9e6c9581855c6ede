import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

/** The CLI in-process in `dir`; `@name` is `dir/name` (inputs are read from the process's folder, outputs in `dir`). */
const cli = (dir: string, args: string[]) => runMain(args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a)), { cwd: dir });

const RULES = `
contacts: { key: Email }
stages:
  - { id: suspect }
  - { id: lead, when: { activity: form_submit } }
  - { id: mql, when: { activity: download, within: 30d } }
  - { id: customer, when: { activity: purchase } }
`;
const CONTACTS = 'Email,Name\na@x.com,Ana\nb@x.com,Bo\nc@x.com,Cy\nd@x.com,Di\n';
// a: mql on day 1 (download), only lead by day 2 (download too old) → stays mql without regression.
// b: lead both days. c: suspect → customer. d: removed on day 2; e: added on day 2.
const ACTS = 'Email,Activity Type,Activity Date\na@x.com,Form Submit,2026-09-01\na@x.com,Download,2026-09-20\nb@x.com,Form Submit,2026-09-01\nc@x.com,Purchase,2026-10-10\n';

function rows(text: string): Record<string, string>[] {
  return parse(text, { columns: true }) as Record<string, string>[];
}

describe('scheduled runs with --previous', () => {
  async function twoRuns(extraRules = '') {
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': RULES + extraRules, 'c1.csv': CONTACTS, 'c2.csv': CONTACTS.replace('d@x.com,Di\n', 'e@x.com,Ed\n'), 'a.csv': ACTS });
    const r1 = await cli(dir, ['classify', '@c1.csv', '-a', '@a.csv', '-r', '@r.yaml', '--as-of', '2026-10-01', '-o', 'day1.csv', '--summary', 'none']);
    expect(r1.code).toBe(0);
    const r2 = await cli(dir, ['classify', '@c2.csv', '-a', '@a.csv', '-r', '@r.yaml', '--as-of', '2026-11-15', '-o', 'day2.csv', '--previous', '@day1.csv', '--summary', 'json', '--summary-file', 's.json']);
    expect(r2.code, r2.stderr).toBe(0);
    return { dir, day1: rows(readFileSync(join(dir, 'day1.csv'), 'utf8')), day2: rows(readFileSync(join(dir, 'day2.csv'), 'utf8')), summary: JSON.parse(r2.stdout) };
  }

  it('never moves a stage backward, carries funnel_stage_since, and counts movements', async () => {
    const { day1, day2, summary, dir } = await twoRuns();
    expect(day1.map((r) => r.funnel_stage)).toEqual(['mql', 'lead', 'suspect', 'suspect']);
    const by = Object.fromEntries(day2.map((r) => [r.Email, r]));
    expect(by['a@x.com']!.funnel_stage).toBe('mql');
    expect(by['a@x.com']!.funnel_reason).toMatch(/^mql: kept from the previous run \(stages do not move backward\); now lead: form_submit 2026-09-01$/);
    expect(by['a@x.com']!.funnel_previous_stage).toBe('mql');
    // day1 had no --previous: its funnel_stage_since is its own as-of, which day2 carries for a contact that stayed.
    expect(day1[0]!.funnel_stage_since).toBe('2026-10-01T00:00:00Z');
    expect(by['a@x.com']!.funnel_stage_since).toBe('2026-10-01T00:00:00Z');
    expect(by['c@x.com']!.funnel_stage).toBe('customer');
    expect(by['c@x.com']!.funnel_stage_since).toBe('2026-11-15T00:00:00Z');
    expect(by['e@x.com']!.funnel_previous_stage).toBe('');
    expect(by['e@x.com']!.funnel_stage_since).toBe('2026-11-15T00:00:00Z');
    expect(summary.movements).toEqual({ changed: 1, new: 1, moves: [{ from: 'suspect', to: 'customer', count: 1 }] });
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).movements.changed).toBe(1);
    // A third run carries funnel_stage_since forward for contacts that stayed, and moves it for those that moved.
    writeFiles(dir, { 'a3.csv': ACTS + 'b@x.com,Purchase,2026-11-18\n' });
    const r3 = await cli(dir, ['classify', '@c2.csv', '-a', '@a3.csv', '-r', '@r.yaml', '--as-of', '2026-11-20', '-o', 'day3.csv', '--previous', '@day2.csv', '--summary', 'none']);
    expect(r3.code).toBe(0);
    const day3 = Object.fromEntries(rows(readFileSync(join(dir, 'day3.csv'), 'utf8')).map((r) => [r.Email, r]));
    expect(day3['a@x.com']!.funnel_stage_since).toBe('2026-10-01T00:00:00Z');
    expect(day3['c@x.com']!.funnel_stage_since).toBe('2026-11-15T00:00:00Z');
    expect(day3['b@x.com']!.funnel_stage).toBe('customer');
    expect(day3['b@x.com']!.funnel_previous_stage).toBe('lead');
    expect(day3['b@x.com']!.funnel_stage_since).toBe('2026-11-20T00:00:00Z');
  });

  it('moves backward when the rules allow regression', async () => {
    const { day2 } = await twoRuns('allow_regression: true\n');
    expect(day2[0]!.funnel_stage).toBe('lead');
    expect(day2[0]!.funnel_stage_since).toBe('2026-11-15T00:00:00Z');
  });

  it('diff shows the matrix, counts added and removed apart, and writes the moved contacts', async () => {
    const { dir } = await twoRuns('allow_regression: true\n');
    const res = await cli(dir, ['diff', '@day1.csv', '@day2.csv', '-r', '@r.yaml', '--moved', 'moved.csv', '--format', 'json']);
    expect(res.code).toBe(0);
    const d = JSON.parse(res.stdout);
    expect(d).toMatchObject({ changed: 2, unchanged: 1, added: 1, removed: 1 });
    expect(d.matrix).toEqual({ mql: { lead: 1 }, lead: { lead: 1 }, suspect: { customer: 1 } });
    expect(d.stages).toEqual(['suspect', 'lead', 'mql', 'customer']);
    const moved = rows(readFileSync(join(dir, 'moved.csv'), 'utf8'));
    expect(moved.map((r) => [r.Email, r.funnel_stage_before, r.funnel_stage])).toEqual([
      ['a@x.com', 'mql', 'lead'],
      ['c@x.com', 'suspect', 'customer'],
    ]);
    const table = await cli(dir, ['diff', '@day1.csv', '@day2.csv', '-r', '@r.yaml', '--moved', '-']);
    expect(rows(table.stdout)).toHaveLength(2);
    expect(table.stderr).toContain('changed stage: 2; unchanged: 1; added: 1; removed: 1');
  });

  it('summary of an annotated file equals the summary of the run', async () => {
    const { dir, summary } = await twoRuns();
    const res = await cli(dir, ['summary', '@day2.csv', '-r', '@r.yaml', '--format', 'json']);
    expect(res.code).toBe(0);
    const s = JSON.parse(res.stdout);
    expect(s.stages).toEqual(summary.stages);
    expect(s.total).toBe(summary.total);
    const t = await cli(dir, ['summary', '@day2.csv', '-r', '@r.yaml']);
    expect(t.stdout).toContain('4 contacts');
  });
});

describe('pipelines', () => {
  it('classify reads stdin and writes NDJSON to a downstream command, summary on stderr', async () => {
    const { spawnSync } = await import('node:child_process');
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': RULES, 'c.csv': CONTACTS, 'a.csv': ACTS });
    const bin = join(import.meta.dirname, '..', 'bin', 'funnel');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `cat c.csv | node ${bin} classify - -a a.csv -r r.yaml --as-of 2026-10-01 -o - --format ndjson | grep -c funnel_stage`], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('4');
    expect(r.stderr).toContain('conversion');
  });
});
