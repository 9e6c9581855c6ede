import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ROOT, tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

/** The CLI in-process, in the project's folder unless told. */
const cli = (args: string[], opts: Parameters<typeof runMain>[1] = {}) => runMain(args, { cwd: ROOT, ...opts });

const INVALID = join(ROOT, 'fixtures', 'rules-invalid');
const GOLDEN = join(ROOT, 'fixtures', 'golden');

// [file, exit code, a line the output must hold: file:line:col: message — hint]
const cases: [string, number, string][] = [
  ['yaml-syntax.yaml', 2, 'yaml-syntax.yaml:4:4: YAML: All sequence items must start at the same column'],
  ['duplicate-yaml-key.yaml', 2, 'duplicate-yaml-key.yaml:3:1: YAML: duplicate key in one mapping'],
  ['empty.yaml', 2, 'empty.yaml:1:1: the rules file is empty'],
  ['unknown-top-key.yaml', 2, "unknown-top-key.yaml:2:1: unknown key 'stage' in the rules file — did you mean 'stages'?"],
  ['wrong-type.yaml', 2, "wrong-type.yaml:3:24: points of 'page_view' must be a number"],
  ['unknown-operator.yaml', 2, "unknown-operator.yaml:4:42: unknown key 'equal' in a field condition — did you mean 'equals'?"],
  ['unknown-condition.yaml', 2, "unknown-condition.yaml:4:25: unknown condition 'activty' in stage 'lead' — did you mean 'activity'?"],
  ['bad-duration.yaml', 2, "bad-duration.yaml:4:51: invalid duration '90 days' for 'within' — write a number and a unit"],
  ['bad-regex.yaml', 2, 'bad-regex.yaml:5:40: invalid regular expression /(head|vp/'],
  ['duplicate-stage.yaml', 2, "duplicate-stage.yaml:5:11: duplicate stage id 'lead' — each stage id must be unique"],
  ['first-stage-when.yaml', 2, "first-stage-when.yaml:3:20: the first stage 'suspect' has a 'when'"],
  ['unknown-stage-ref.yaml', 2, "unknown-stage-ref.yaml:5:45: unknown stage 'custmer' in 'stage:' — did you mean 'customer'?"],
  ['cycle.yaml', 2, 'cycle.yaml:5:29: stage references form a cycle: a → b → a'],
  ['wrong-values.yaml', 2, "wrong-values.yaml:4:55: 'count' must be a whole number ≥ 0"],
  ['wrong-values.yaml', 2, "wrong-values.yaml:5:47: 'gte' needs a number or a date"],
  ['bad-timezone.yaml', 2, "bad-timezone.yaml:2:25: unknown timezone 'Mars/Olympus'"],
  ['bad-timezone.yaml', 2, "bad-timezone.yaml:2:51: date_order must be auto, dmy or mdy, not 'ymd'"],
  ['persona-self.yaml', 2, "persona-self.yaml:2:12: 'persona' cannot be used inside persona"],
  ['points-unknown-signal.yaml', 0, "points-unknown-signal.yaml:5:13: points for 'emial_open', a signal no 'types' entry or condition names — did you mean 'email_open'?"],
];

describe('funnel validate: one message per problem, at its line and column', () => {
  it.each(cases)('%s → exit %i: %s', async (file, code, line) => {
    const res = await cli(['validate', join(INVALID, file)]);
    expect(res.code).toBe(code);
    expect(res.stderr).toContain(line);
    expect(res.stderr).toContain(`${INVALID}/${line}`);
  });

  it('reports only one cycle message for a two-stage cycle', async () => {
    const res = await cli(['validate', join(INVALID, 'cycle.yaml')]);
    expect(res.stderr.match(/form a cycle/g)).toHaveLength(1);
  });

  it('accepts the example rules', async () => {
    const res = await cli(['validate', join(ROOT, 'rules.example.yaml')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('valid');
  });

  it('classify stops on invalid rules with exit 2', async () => {
    const res = await cli(['classify', join(GOLDEN, 'contacts.csv'), '-r', join(INVALID, 'bad-regex.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('invalid regular expression');
  });
});

describe('funnel validate against sample exports', () => {
  it('names fields and columns the files do not have, with a suggestion', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'r.yaml': 'contacts: { key: E-mail }\nactivities: { type: Kind, time: When }\nfields: { industry: Induststry }\nstages:\n  - { id: s }\n  - { id: l, when: { field: industry, equals: x } }\n  - { id: m, when: { field: Country, present: true } }\n',
      'c.csv': 'Email,Industry,Country\na@x.com,Software,France\n',
      'a.csv': 'Email,Type,Date\na@x.com,Visit,2026-01-01\n',
    });
    const res = await cli(['validate', 'r.yaml', '--contacts', 'c.csv', '--activities', 'a.csv'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("r.yaml:1:18: contacts key 'E-mail' is not a column of c.csv — did you mean 'Email'?");
    expect(res.stderr).toContain("r.yaml:3:21: field 'industry' (column 'Induststry') is not a column of c.csv — did you mean 'Industry'?");
    expect(res.stderr).toContain("r.yaml:2:21: activities type 'Kind' is not a column of a.csv");
    expect(res.stderr).toContain("r.yaml:2:33: activities time 'When' is not a column of a.csv");
    expect(res.stderr).not.toContain('Country');
  });

  it('warns, with counts, about activity labels that no rule uses, and exits 0', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'r.yaml': 'activities: { types: { email_open: [Opened] } }\nstages:\n  - { id: s }\n  - { id: l, when: { activity: email_open } }\n',
      'a.csv': 'Email,Activity Type,Activity Date\na@x.com,Opened,2026-01-01\na@x.com,Email Opne,2026-01-02\nb@x.com,Email Opne,2026-01-03\nb@x.com,Visit,someday\n',
    });
    const res = await cli(['validate', join(dir, 'r.yaml'), '--activities', join(dir, 'a.csv')], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("label 'Email Opne' (2 rows) maps to signal 'email_opne', which no rule uses — did you mean to map it to 'email_open' in activities.types?");
    expect(res.stderr).toContain("label 'Visit' (1 row) maps to signal 'visit'");
    expect(res.stderr).toContain("a.csv:5:1: 1 row(s) have an unparsable date, e.g. 'someday'");
    expect(res.stdout).toContain('1 activity label(s) feed the rules, 2 do not');
  });

  it('fails when slash dates cannot be ordered', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'a.csv': 'Email,Activity Type,Activity Date\na@x.com,Visit,05/03/2026\n' });
    const res = await cli(['validate', join(ROOT, 'rules.example.yaml'), '--activities', join(dir, 'a.csv')], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("a.csv:2:1: cannot tell the order of slash dates such as '05/03/2026' — set activities.date_order: dmy or mdy");
  });
});

describe('funnel explain', () => {
  it('agrees with classify for every contact of the golden fixture', async () => {
    const base = ['--as-of', '2026-11-15'];
    const c = join(GOLDEN, 'contacts.csv');
    const a = join(GOLDEN, 'activities.csv');
    const cls = await cli(['classify', c, '-a', a, ...base, '-o', '-', '--summary', 'none']);
    const rows = (parse(cls.stdout, { columns: true }) as Record<string, string>[]).filter((r) => r.Email!.trim() !== '');
    expect(rows.length).toBeGreaterThan(30);
    const results = await Promise.all(rows.map((r) => cli(['explain', c, '-a', a, ...base, '--contact', r.Email!, '--format', 'json'])));
    results.forEach((res, i) => {
      const row = rows[i]!;
      expect(res.code, res.stderr).toBe(0);
      const x = JSON.parse(res.stdout) as { explanation: { verdict: { stage: string; reason: string; score: number; fit: number; persona: boolean; consent: boolean; action: string } } };
      const v = x.explanation.verdict;
      expect([row.Email, v.stage]).toEqual([row.Email, row.funnel_stage]);
      expect(v.reason).toBe(row.funnel_reason);
      expect((Math.round(v.score * 10) / 10).toFixed(1)).toBe(row.funnel_score);
      expect(String(v.fit)).toBe(row.funnel_fit);
      expect(v.persona ? 'yes' : 'no').toBe(row.funnel_persona);
      expect(v.consent ? 'yes' : 'no').toBe(row.funnel_contactable);
      expect(v.action).toBe(row.funnel_action);
    });
  });

  it('prints the condition trees with held and not-held atoms and the evidence', async () => {
    const res = await cli(['explain', join(GOLDEN, 'contacts.csv'), '-a', join(GOLDEN, 'activities.csv'), '--as-of', '2026-11-15', '--contact', 'G10@acme.io ']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('email_reply              1 event   last 2026-10-28');
    expect(res.stdout).toContain('✓ sql (Prospect)');
    expect(res.stdout).toContain('✗ score ≥ 20  — score 13.3<20');
    expect(res.stdout).toContain('✗ Email domain_in [rival.example, competitor.example]  — Email domain acme.io');
    expect(res.stdout).toContain('→ sql');
    expect(res.stdout).not.toMatch(/\x1b\[/);
  });

  it('reads the contacts from standard input (-) as from a file: the same story, rows named <stdin>', async () => {
    const c = join(GOLDEN, 'contacts.csv');
    const args = ['-a', join(GOLDEN, 'activities.csv'), '--as-of', '2026-11-15', '--contact', 'G10@acme.io', '--format', 'json'];
    const fromFile = await cli(['explain', c, ...args]);
    const fromStdin = await cli(['explain', '-', ...args], { input: readFileSync(c) });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    const file = JSON.parse(fromFile.stdout) as { rows: { file: string; line: number }[] };
    const piped = JSON.parse(fromStdin.stdout) as { rows: { file: string; line: number }[] };
    expect(piped.rows).toEqual(file.rows.map((r) => ({ ...r, file: '<stdin>' })));
    expect({ ...piped, rows: [] }).toEqual({ ...file, rows: [] });
    const twice = await cli(['explain', '-', '-a', '-', '--contact', 'G10@acme.io'], { input: readFileSync(c) });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('standard input (-) can be read only once');
  });

  it('exits 3 for an unknown contact', async () => {
    const res = await cli(['explain', join(GOLDEN, 'contacts.csv'), '--contact', 'nobody@nowhere']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("no contact with key 'nobody@nowhere'");
  });
});

describe('funnel init', () => {
  it('writes the example rules and refuses to overwrite without --force', async () => {
    const dir = tempDir();
    const a = await cli(['init'], { cwd: dir });
    expect(a.code).toBe(0);
    expect(readFileSync(join(dir, 'funnel.yaml'), 'utf8')).toBe(`# yaml-language-server: $schema=./funnel.schema.json\n${readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8')}`);
    writeFiles(dir, { 'funnel.yaml': 'mine' });
    const b = await cli(['init'], { cwd: dir });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('funnel.yaml already exists — pass --force');
    expect(readFileSync(join(dir, 'funnel.yaml'), 'utf8')).toBe('mine');
    const c = await cli(['init', '--force'], { cwd: dir });
    expect(c.code).toBe(0);
    // A missing folder is an output that cannot be written: exit 1.
    const d = await cli(['init', 'rules/my.yaml'], { cwd: dir });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/^funnel: error: rules\/my\.yaml: cannot write: the folder .*rules does not exist/m);
    expect(existsSync(join(dir, 'rules'))).toBe(false);
    const e = await cli(['validate', join(dir, 'funnel.yaml')], { cwd: dir });
    expect(e.code).toBe(0);
  });
});
