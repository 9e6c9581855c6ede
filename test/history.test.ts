import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ROOT, runCli, tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const H = join(ROOT, 'fixtures', 'history');
const INPUTS = [join(H, 'contacts.csv'), '-a', join(H, 'activities.csv'), '-r', join(H, 'rules.yaml')];
const rows = (t: string): Record<string, string>[] => parse(t, { columns: true }) as Record<string, string>[];

describe('the hand-reasoned history fixture (fixtures/history/WHY.md)', () => {
  it('classify: stage dates, peak, stage_since, SLA and action of every contact', async () => {
    const dir = tempDir();
    const r = await runMain(['classify', ...INPUTS, '--as-of', '2026-04-15', '-o', join(dir, 'out.csv'), '--summary', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    // The rules have an sla: stage dates without --stage-dates.
    expect(r.stderr).toMatch(/the rules have an sla: stage dates are replayed/);
    const got = rows(readFileSync(join(dir, 'out.csv'), 'utf8'));
    const want = rows(readFileSync(join(H, 'expected-classify.csv'), 'utf8'));
    expect(got.map((g) => Object.fromEntries(Object.keys(want[0]!).map((k) => [k, g[k]])))).toEqual(want);
    const header = readFileSync(join(dir, 'out.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('Email,Created,Opt-in,Lifecycle,funnel_stage,funnel_score,funnel_fit,funnel_persona,funnel_contactable,funnel_content,funnel_action,funnel_reason,funnel_warnings,funnel_stage_since,funnel_became_lead,funnel_became_mql,funnel_became_customer,funnel_peak_stage,funnel_sla');
    const summary = JSON.parse(r.stdout);
    expect(summary.stages.map((s: { id: string; overdue?: number }) => [s.id, s.overdue])).toEqual([
      ['suspect', undefined],
      ['lead', 5],
      ['mql', 4],
      ['customer', undefined],
    ]);
  });

  it('history: balance, entered and overdue per month as worked out', async () => {
    const dir = tempDir();
    const r = await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-01-01', '--format', 'csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(H, 'expected-history.csv'), 'utf8'));
  });

  it('history JSON follows the contract of the report', async () => {
    const dir = tempDir();
    const r = await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-01-01', '--format', 'json', '-o', join(dir, 'h.json')], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const h = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
    expect(h).toMatchObject({ tool: { name: 'funnel' }, kind: 'history', as_of: '2026-04-15T00:00:00.000Z', every: 'month', since: '2026-01-01T00:00:00.000Z', timezone: 'UTC', contacts: 30, undated_events: 2 });
    expect(h.rules.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(h.periods.map((p: { id: string }) => p.id)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(h.periods.at(-1).end).toBe(h.as_of);
    expect(h.stages).toEqual([
      { id: 'suspect', label: 'suspect', sla_days: null },
      { id: 'lead', label: 'lead', sla_days: 30 },
      { id: 'mql', label: 'mql', sla_days: 14 },
      { id: 'customer', label: 'customer', sla_days: null },
      { id: 'disqualified', label: 'disqualified', sla_days: null },
    ]);
    expect(h.rows).toHaveLength(4 * 5);
    expect(h.rows[0]).toEqual({ period: '2026-01', stage: 'suspect', balance: 5, entered: 10, overdue: 0 });
    expect(h.conversion.map((c: { from: string; to: string }) => `${c.from}>${c.to}`)).toEqual(['suspect>lead', 'lead>mql', 'mql>customer']);
    expect(h.conversion[0].cohorts[0]).toEqual({ period: '2026-01', entered: 10, reached: 7, share: 0.7 });
    expect(h.velocity[0]).toEqual({ from: 'suspect', to: 'lead', contacts: 13, median_days: 8, p90_days: 16 });
    expect(h.segments).toBeUndefined();
  });

  it('history --by: a segment column first in CSV, segments in JSON', async () => {
    const dir = tempDir();
    const csv = await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-01-01', '--format', 'csv', '--by', 'optin'], { cwd: dir });
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('segment,period,stage,balance,entered,overdue');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['yes', 'no']));
    const json = JSON.parse((await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-01-01', '--format', 'json', '--by', 'optin'], { cwd: dir })).stdout);
    expect(json.by).toBe('Opt-in');
    expect(json.segments.map((s: { segment: string; contacts: number }) => [s.segment, s.contacts])).toEqual([
      ['yes', 29],
      ['no', 1],
    ]);
  });

  it('the table fits in 100 columns', async () => {
    const dir = tempDir();
    const r = await runMain(['history', ...INPUTS, '--as-of', '2026-04-15'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^balance — /m);
    expect(r.stdout).toMatch(/^velocity — /m);
    expect(r.stdout).toMatch(/^overdue — /m);
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    // Twelve months by default, the last one holding the as-of.
    expect(r.stdout).toMatch(/12 months from 2025-05 to 2026-04/);
  });

  it('--as-of a past month reproduces the months before it exactly', async () => {
    const dir = tempDir();
    const later = rows((await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-01-01', '--format', 'csv'], { cwd: dir })).stdout);
    const past = rows((await runMain(['history', ...INPUTS, '--as-of', '2026-03-01', '--since', '2026-01-01', '--format', 'csv'], { cwd: dir })).stdout);
    const months = (rs: Record<string, string>[]) => rs.filter((r) => r.period === '2026-01' || r.period === '2026-02');
    expect(months(past)).toEqual(months(later));
    // An as-of at the first instant of March opens March, empty, as the period holding it.
    expect([...new Set(past.map((r) => r.period))]).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('weeks and quarters are calendar periods with ISO ids', async () => {
    const dir = tempDir();
    const w = rows((await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--every', 'week', '--format', 'csv'], { cwd: dir })).stdout);
    expect([...new Set(w.map((r) => r.period))]).toEqual(['2026-W05', '2026-W06', '2026-W07', '2026-W08', '2026-W09', '2026-W10', '2026-W11', '2026-W12', '2026-W13', '2026-W14', '2026-W15', '2026-W16']);
    const q = rows((await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--every', 'quarter', '--since', '2025-10-01', '--format', 'csv'], { cwd: dir })).stdout);
    expect([...new Set(q.map((r) => r.period))]).toEqual(['2025-Q4', '2026-Q1', '2026-Q2']);
  });
});

describe('history and stage dates: errors', () => {
  it('--since after --as-of and an unknown --every are usage errors', async () => {
    const dir = tempDir();
    const a = await runMain(['history', ...INPUTS, '--as-of', '2026-04-15', '--since', '2026-05-01'], { cwd: dir });
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/funnel: error: --since is after --as-of/);
    const b = await runMain(['history', ...INPUTS, '--every', 'day'], { cwd: dir });
    expect(b.code).toBe(2);
  });

  it('a contacts.created column the file lacks is an error (exit 3) naming the columns', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': readFileSync(join(H, 'rules.yaml'), 'utf8').replace('created: Created', 'created: Signup Date'), 'c.csv': 'Email,Opt-in,Lifecycle\na@x.io,yes,\n', 'a.csv': 'Email,Type,Date\na@x.io,form,2026-01-01\n' });
    const [c, a, rr] = ['c.csv', 'a.csv', 'r.yaml'].map((f) => join(dir, f));
    for (const cmd of [['classify', c!, '-a', a!, '-r', rr!, '-o', join(dir, 'o.csv')], ['history', c!, '-a', a!, '-r', rr!]]) {
      const r = await runMain(cmd, { cwd: dir });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/no creation column 'Signup Date' — set contacts.created in the rules to one of: Email, Opt-in, Lifecycle/);
    }
  });

  it('validate checks an sla with line and column', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': 'stages:\n  - { id: s }\n  - id: l\n    when: { activity: form }\n    sla: { within: soon, acton: x }\n' });
    const r = await runMain(['validate', join(dir, 'r.yaml')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r\.yaml:5:\d+: unknown key 'acton' in the sla of stage 'l' — did you mean 'action'\?/);
    expect(r.stderr).toMatch(/r\.yaml:5:\d+: the sla of stage 'l' needs 'action'/);
    expect(r.stderr).toMatch(/r\.yaml:5:\d+: invalid duration 'soon'/);
  });
});

describe('funnel sql and sla', () => {
  it('ignores sla with a note on stderr', async () => {
    const dir = tempDir();
    const r = await runMain(['sql', '-r', join(H, 'rules.yaml'), '--as-of', '2026-04-15'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the sla of lead, mql is ignored: funnel sql does not replay the activities/);
    expect(r.stdout).toMatch(/SELECT/i);
  });
});

describe('explain: the stage dates and the event that made each', () => {
  it('names the event, the creation date, and keeps the replay stage when the rules have an sla', async () => {
    const dir = tempDir();
    const r = await runMain(['explain', ...INPUTS, '--as-of', '2026-04-15', '--contact', 'c04@x.io', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x.explanation.verdict.stage).toBe('mql');
    expect(x.explanation.verdict.reason).toBe('mql: reached 2026-01-10 (stages do not move backward); now lead: download 2026-01-10');
    expect(x.stage_dates).toEqual({
      how: 'event',
      entry: '2026-01-03T00:00:00Z',
      stages: [
        { id: 'lead', became: '2026-01-10T00:00:00Z', by: 'download (download, line 7)' },
        { id: 'mql', became: '2026-01-10T00:00:00Z', by: 'download (download, line 7)' },
        { id: 'customer', became: null, by: null },
      ],
      peak: 'mql',
      stage_since: '2026-01-10T00:00:00Z',
      sla: 'overdue',
    });
    const text = await runMain(['explain', ...INPUTS, '--as-of', '2026-04-15', '--contact', 'c15@x.io'], { cwd: dir });
    expect(text.stdout).toMatch(/lead +2026-01-10T00:00:00Z {2}by its creation date/);
  });
});

describe('the replay on threads', () => {
  // A subprocess: the worker threads run the built dist/.
  it('classify --stage-dates and history give one thread\'s bytes when the activities are folded in ranges', async () => {
    const dir = tempDir();
    const F = join(ROOT, 'fixtures', 'hubspot');
    const args = (t: string[]) => ['classify', join(F, 'contacts.csv'), '-a', join(F, 'activities.csv'), '--as-of', '2026-11-15', '--stage-dates', '--summary', 'none', ...t];
    const one = await runCli([...args(['--threads', '1']), '-o', join(dir, 'one.csv')], { cwd: dir });
    const three = await runCli([...args(['--threads', '3', '--min-range-bytes', '20000']), '-o', join(dir, 'three.csv')], { cwd: dir });
    expect(one.code, one.stderr).toBe(0);
    expect(three.stderr).toMatch(/folded in 3 ranges/);
    expect(readFileSync(join(dir, 'three.csv'), 'utf8')).toBe(readFileSync(join(dir, 'one.csv'), 'utf8'));
    const h = (t: string[]) => runCli(['history', join(F, 'contacts.csv'), '-a', join(F, 'activities.csv'), '--as-of', '2026-11-15', '--format', 'csv', ...t], { cwd: dir });
    const h1 = await h(['--threads', '1']);
    const h3 = await h(['--threads', '3', '--min-range-bytes', '20000']);
    expect(h3.stderr).toMatch(/folded in 3 ranges/);
    expect(h3.stdout).toBe(h1.stdout);
  });
});
