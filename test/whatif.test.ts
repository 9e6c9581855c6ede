import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = (mqlAt: number): string => `
version: 1
contacts: { key: Email }
activities: { key: Email, type: Type, time: Date }
scoring: { points: { email_open: 5, demo_request: 30 } }
consent: { when: { field: Opt-in, equals: "yes" } }
stages:
  - { id: suspect, action: observe }
  - { id: lead, action: nurture, when: { activity: email_open } }
  - { id: mql, action: call soon, when: { score: { gte: ${mqlAt} } } }
  - { id: sql, action: call, needs_consent: false, when: { activity: demo_request } }
`;

// a: nothing; b: 5 points; c: 10; d: 15; e: 20; f: a demo (30). The threshold moves from 20 to 10.
const CONTACTS = 'Email,Name,Opt-in\na@x.example,A,yes\nb@x.example,B,yes\nc@x.example,C,yes\nd@x.example,"D, Jr",no\ne@x.example,E,yes\nf@x.example,F,no\n';
const opens = (who: string, n: number): string => Array.from({ length: n }, (_, i) => `${who}@x.example,Email Open,2026-10-0${i + 1}\n`).join('');
const ACTIVITIES = `Email,Type,Date\n${opens('b', 1)}${opens('c', 2)}${opens('d', 3)}${opens('e', 4)}f@x.example,Demo Request,2026-10-09\n`;

/** Paths inside the test's folder (inputs are read relative to the process, like every command's). */
const inDir = (dir: string, ...names: string[]): string[] => names.map((n) => (n.startsWith('-') ? n : join(dir, n)));

describe('funnel whatif', () => {
  it('two rule files that differ by one threshold: the matrix, the stages and the moved contacts', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'before.yaml': RULES(20), 'after.yaml': RULES(10), 'c.csv': CONTACTS, 'a.csv': ACTIVITIES });
    const r = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'after.yaml', 'c.csv'), '-a', join(dir, 'a.csv'), '--as-of', '2026-11-01', '--format', 'json', '--moved', join(dir, 'moved.csv')], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    // Worked out by hand: c (10 points) and d (15) move from lead to mql; nobody else moves.
    expect(j.matrix).toEqual({
      suspect: { suspect: 1, lead: 0, mql: 0, sql: 0, disqualified: 0 },
      lead: { suspect: 0, lead: 1, mql: 2, sql: 0, disqualified: 0 },
      mql: { suspect: 0, lead: 0, mql: 1, sql: 0, disqualified: 0 },
      sql: { suspect: 0, lead: 0, mql: 0, sql: 1, disqualified: 0 },
      disqualified: { suspect: 0, lead: 0, mql: 0, sql: 0, disqualified: 0 },
    });
    expect(j.stages).toEqual([
      { id: 'suspect', before: 1, after: 1, change: 0 },
      { id: 'lead', before: 3, after: 1, change: -2 },
      { id: 'mql', before: 1, after: 3, change: 2 },
      { id: 'sql', before: 1, after: 1, change: 0 },
      { id: 'disqualified', before: 0, after: 0, change: 0 },
    ]);
    expect(j).toMatchObject({ contacts: 6, changed: 2, unchanged: 4, contactable: { gained: 0, lost: 0 }, action_changed: 1 });
    // d has no consent: its action stays the consent action; c's changes from nurture to call soon.
    expect(j.actions).toEqual([{ before: 'nurture', after: 'call soon', contacts: 1 }]);
    expect(readFileSync(join(dir, 'moved.csv'), 'utf8')).toBe(
      [
        'Email,Name,Opt-in,funnel_stage,funnel_score,funnel_fit,funnel_persona,funnel_contactable,funnel_content,funnel_action,funnel_reason,funnel_warnings,funnel_stage_since,funnel_stage_before,funnel_reason_before',
        'c@x.example,C,yes,mql,10.0,0,yes,yes,,call soon,mql: score 10≥10,,2026-11-01T00:00:00Z,lead,lead: email_open 2026-10-02 (2 events)',
        'd@x.example,"D, Jr",no,mql,15.0,0,yes,no,,do not email — no consent,mql: score 15≥10,,2026-11-01T00:00:00Z,lead,lead: email_open 2026-10-03 (3 events)',
        '',
      ].join('\n'),
    );
  });

  it('prints the matrix and the stage changes as tables; --moved - puts the rows on stdout and the tables on stderr', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'before.yaml': RULES(20), 'after.yaml': RULES(10), 'c.csv': CONTACTS, 'a.csv': ACTIVITIES });
    const r = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'after.yaml', 'c.csv', '-a', 'a.csv'), '--as-of', '2026-11-01'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`before.yaml → ${join(dir, 'after.yaml')}, as of 2026-11-01T00:00:00Z: 6 contacts, 2 change stage, 4 do not`);
    expect(r.stdout).toMatch(/│ lead +│ +· │ +1 │ +2 │ +· │ +· │/);
    expect(r.stdout).toMatch(/│ mql +│ +1 │ +3 │ +\+2 │/);
    expect(r.stdout).toContain('  1× nurture → call soon');
    const m = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'after.yaml', 'c.csv', '-a', 'a.csv'), '--as-of', '2026-11-01', '--moved', '-'], { cwd: dir });
    expect(m.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(m.stderr).toContain('2 change stage');
  });

  it('activities sections that differ: exit 2 naming what differs', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'before.yaml': RULES(20), 'after.yaml': RULES(10).replace('time: Date', 'time: When').replace('key: Email }\nactivities', 'key: Email, normalize: exact }\nactivities'), 'c.csv': CONTACTS, 'a.csv': ACTIVITIES });
    const r = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'after.yaml', 'c.csv', '-a', 'a.csv')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("funnel: error: the rules differ in how activities are read: activities.time is 'Date' before and 'When' after; contacts.normalize is 'email' before and 'exact' after — whatif folds the activities once");
    // A column the after rules read that the contacts lack: exit 3, as classify.
    writeFiles(dir, { 'field.yaml': RULES(10).replace('field: Opt-in', 'field: Opt-out') });
    const col = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'field.yaml', 'c.csv', '-a', 'a.csv')], { cwd: dir });
    expect(col.stderr).toContain("no column 'Opt-out'");
    expect(col.code).toBe(3);
    const bad = await runMain(['whatif', ...inDir(dir, 'before.yaml', 'nope.yaml', 'c.csv', '-a', 'a.csv')], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'nope.yaml')}:1:1: rules file not found`);
  });

  it('agrees with two classify runs, row by row, when labels, points, decay, windows and an sla change (and on threads)', async () => {
    const dir = tempDir();
    const example = readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8');
    const changed = example
      .replace('score: { gte: 20 }', 'score: { gte: 8 }')
      .replace('half_life: 30d', 'half_life: 60d')
      .replace('within: 90d', 'within: 30d')
      .replace('demo_request: [Demo Request, Demo requested]', 'demo_request: [Demo requested]\n    meeting: [Meeting, Meeting booked, Meeting held, Demo Request]')
      .replace('    meeting: [Meeting, Meeting booked, Meeting held]\n', '')
      .replace('content_download: [E-book download, ', 'content_download: [')
      .replace('meeting: 25', 'meeting: 45');
    const withSla = example.replace('    action: nurture\n', '    action: nurture\n    sla: { within: 20d, action: "escalate: lead waiting" }\n');
    expect(changed).not.toBe(example);
    expect(withSla).not.toBe(example);
    writeFiles(dir, { 'before.yaml': example, 'after.yaml': changed, 'sla.yaml': withSla });
    const golden = join(ROOT, 'fixtures', 'golden');
    const inputs = [join(golden, 'contacts.csv'), '-a', join(golden, 'activities.csv'), '--as-of', '2026-11-15'];
    const { parse } = await import('csv-parse/sync');
    const rowsOf = (csv: string): Record<string, string>[] => parse(csv, { columns: true }) as Record<string, string>[];
    const classified = async (rules: string): Promise<Record<string, string>[]> => rowsOf((await runMain(['classify', ...inputs, '-r', join(dir, rules), '-o', '-', '--summary', 'none'], { cwd: dir })).stdout);
    for (const [from, to] of [['before.yaml', 'after.yaml'], ['before.yaml', 'sla.yaml'], ['sla.yaml', 'after.yaml']] as const) {
      const b = await classified(from);
      const a = await classified(to);
      // The moved rows are the after rows, as classify writes them, with the before stage and reason.
      const expected = a.flatMap((row, i) => (row.funnel_stage !== b[i]!.funnel_stage ? [{ ...row, funnel_stage_before: b[i]!.funnel_stage!, funnel_reason_before: b[i]!.funnel_reason! }] : []));
      const actions = a.filter((row, i) => row.funnel_action !== b[i]!.funnel_action).length;
      expect(expected.length + actions, `${from} → ${to}`).toBeGreaterThan(0);
      let oneThread: { report: unknown; moved: string } | undefined;
      for (const extra of [[], ['--threads', '3', '--min-range-bytes', '300']]) {
        // On threads a subprocess: the worker threads run the built dist/.
        const args = ['whatif', join(dir, from), join(dir, to), ...inputs, '--moved', 'moved.csv', '--format', 'json', ...extra];
        const w = extra.length ? await runCli(args, { cwd: dir }) : await runMain(args, { cwd: dir });
        expect(w.code).toBe(0);
        const moved = readFileSync(join(dir, 'moved.csv'), 'utf8');
        expect(rowsOf(moved), `${from} → ${to} ${extra.join(' ')}`).toEqual(expected);
        expect((JSON.parse(w.stdout) as { action_changed: number }).action_changed).toBe(actions);
        // The contacts' ranges on threads: the same report and the same bytes of moved rows as one thread.
        if (!oneThread) oneThread = { report: JSON.parse(w.stdout), moved };
        else {
          expect(w.stderr).toContain('contacts.csv: classified in 3 ranges on as many threads');
          expect(JSON.parse(w.stdout)).toEqual(oneThread.report);
          expect(moved).toBe(oneThread.moved);
        }
      }
    }
  });
});
