import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ROOT, runCli } from './helpers.js';

const dir = join(ROOT, 'fixtures', 'golden');
const expected = parse(readFileSync(join(dir, 'expected.csv')), { columns: true, skip_empty_lines: true, relax_quotes: true }) as { row: string; email: string; stage: string; why: string }[];

describe('golden fixture: hand-reasoned contacts through the built CLI', async () => {
  const res = await runCli(['classify', join(dir, 'contacts.csv'), '-a', join(dir, 'activities.csv'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'json']);
  const rows = parse(res.stdout, { columns: true }) as Record<string, string>[];

  it('exits 0 with every row, in order', () => {
    expect(res.code).toBe(0);
    expect(rows).toHaveLength(expected.length);
    expect(expected.length).toBeGreaterThanOrEqual(25);
  });

  it.each(expected)('row $row ($email) is $stage: $why', (e) => {
    const row = rows[Number(e.row) - 1]!;
    expect(row.Email).toBe(e.email);
    expect(row.funnel_stage).toBe(e.stage);
  });

  it('reports the evidence, warnings and actions the spec describes', () => {
    const by = (email: string) => rows.find((r) => r.Email === email)!;
    expect(by('g10@acme.io').funnel_reason).toBe('sql: persona (fit 60≥30: Industry=Software, Number of Employees=120≥50, Job Title=Head of Marketing, Country=France); email_reply 2026-10-28 within 180d');
    expect(by('g05@acme.io').funnel_score).toBe('24.4');
    expect(by('g08@acme.io').funnel_score).toBe('21.4');
    expect(by('g23@acme.io').funnel_warnings).toBe('duplicate key: 2 rows');
    expect(rows[24]!.funnel_warnings).toBe('empty key');
    expect(by('g31@acme.io').funnel_warnings).toBe("unparsable number in Number of Employees: 'unknown'");
    expect(by('g26@acme.io').funnel_action).toBe('do not email — no consent');
    expect(by('g26@acme.io').funnel_contactable).toBe('no');
    expect(by('g27@acme.io').funnel_action).toBe('onboard');
    expect(by('g18@rival.example').funnel_reason).toBe('disqualified: competitor (Email domain rival.example)');
    expect(by('g13@acme.io').funnel_fit).toBe('30');
    expect(by('g13@acme.io').funnel_persona).toBe('yes');
    expect(by('g35@acme.io').funnel_content).toBe('referral');
  });

  it('keeps original values byte for byte', () => {
    const src = parse(readFileSync(join(dir, 'contacts.csv')), { columns: true }) as Record<string, string>[];
    src.forEach((s, i) => {
      for (const [k, v] of Object.entries(s)) expect(rows[i]![k]).toBe(v);
    });
  });

  it('summarises on stderr as JSON when rows go to stdout', () => {
    const s = JSON.parse(res.stderr.slice(res.stderr.indexOf('{'))) as { total: number; stages: { id: string; count: number; reached: number }[]; disqualified: { by_reason: Record<string, number> }; unmatched_activity_rows: number; undated_activity_rows: number; inputs: { activities: { after_as_of: number }[] } };
    expect(s.total).toBe(35);
    expect(s.stages.find((x) => x.id === 'sql')!.count).toBe(6);
    expect(s.stages.find((x) => x.id === 'suspect')!.reached).toBe(35 - 5);
    expect(s.disqualified.by_reason).toEqual({ bounced: 2, competitor: 2, test_account: 1 });
    expect(s.unmatched_activity_rows).toBe(1);
    expect(s.undated_activity_rows).toBe(2);
    expect(s.inputs.activities[0]!.after_as_of).toBe(1);
  });
});
