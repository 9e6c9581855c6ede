import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = `
version: 1
contacts: { key: Email }
activities:
  types: { content_download: [E-book download], email_reply: [Email Reply] }
fields: { industry: Industry, optin: Email opt-in }
scoring:
  points: { content_download: 10, email_reply: 20 }
  fit: [ { when: { field: industry, in: [Software] }, points: 30 } ]
persona: { fit: { gte: 30 } }
consent: { when: { field: optin, equals: "yes" } }
disqualify:
  - { id: competitor, when: { field: Email, domain_in: [rival.example] } }
stages:
  - { id: suspect, action: observe }
  - { id: lead, action: nurture, when: { activity: content_download } }
  - { id: sql, action: call, when: { all: [ { persona: true }, { activity: email_reply, within: 30d } ] } }
`;

const CASES = `as_of: 2026-11-01
cases:
  - name: a software company that replied is a prospect
    contact: { Email: ana@acme.example, Industry: Software, Email opt-in: "yes" }
    activities:
      - { type: E-book download, time: 2026-10-02 }
      - { type: email_reply, time: 28/10/2026 }
    expect: { stage: sql, contactable: yes, fit: 30, persona: yes, score: 30, action: call, reason_contains: email_reply }
  - name: an old reply does not count
    contact: { Email: bob@shop.example, industry: Software }
    activities:
      - { type: Email Reply, time: 2026-09-01 }
    expect: { stage: sql, contactable: yes }
  - name: a competitor
    as_of: 2026-12-01
    contact: { Email: x@rival.example }
    expect: { stage: disqualified, reason_contains: [competitor, rival] }
  - name: score within 0.05
    contact: { Email: c@d.example }
    activities: [ { type: E-book download } ]
    expect: { stage: lead, score: 10.05, action: "do not email — no consent", content: "" }
`;

describe('funnel test', () => {
  it('prints one line per case, what failed, and the count last; exit 1 when one fails', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.yaml': RULES, 'cases.yaml': CASES });
    // The files in any order: the content says which is the rules.
    const r = await runMain(['test', 'cases.yaml', 'rules.yaml'], { cwd: dir });
    expect(r.stdout).toBe(
      [
        '✓ a software company that replied is a prospect',
        '✗ an old reply does not count (cases.yaml:9)',
        '    stage: expected sql, got suspect',
        '    contactable: expected yes, got no',
        '    reason: suspect: no rule of a later stage holds',
        '✓ a competitor',
        '✓ score within 0.05',
        '3 passed, 1 failed',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('funnel: rules: rules.yaml\n');
    writeFiles(dir, { 'late.yaml': 'as_of: 2026-11-01\ncases:\n  - contact: {}\n    activities: [ { type: Email Reply, time: 2026-12-01 } ]\n    expect: { stage: suspect }\n' });
    const late = await runMain(['test', 'rules.yaml', 'late.yaml'], { cwd: dir });
    expect(late.code).toBe(0);
    expect(late.stderr).toContain("funnel: warning: late.yaml:4: case 'case 1': an activity after its as_of (2026-11-01T00:00:00Z) is ignored, as classify ignores it");
  });

  it('exits 0 when every case passes, and writes JSON for CI', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.yaml': RULES, 'cases.yaml': CASES.replace('expect: { stage: sql, contactable: yes }', 'expect: { stage: suspect, score: 20 }') });
    const r = await runMain(['test', 'rules.yaml', 'cases.yaml', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { passed: number; failed: number; cases: { name: string; line: number; as_of: string; got: { stage: string; score: number } }[] };
    expect(j.passed).toBe(4);
    expect(j.failed).toBe(0);
    expect(j.cases[0]).toMatchObject({ name: 'a software company that replied is a prospect', line: 3, as_of: '2026-11-01T00:00:00Z', got: { stage: 'sql', score: 30, fit: 30 } });
    expect(j.cases[2]).toMatchObject({ as_of: '2026-12-01T00:00:00Z', got: { stage: 'disqualified' } });
  });

  it('a failing score says the tolerance, a failing reason what it lacked', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.yaml': RULES,
      'cases.yaml': `as_of: 2026-11-01\ncases:\n  - name: s\n    contact: { Email: c@d.example }\n    activities: [ { type: E-book download } ]\n    expect: { score: 10.1, reason_contains: [content_download, webinar], fit: 5 }\n`,
    });
    const r = await runMain(['test', 'rules.yaml', 'cases.yaml'], { cwd: dir });
    expect(r.stdout).toBe(
      [
        '✗ s (cases.yaml:3)',
        '    score: expected 10.1 (±0.05), got 10',
        "    expected the reason to contain 'webinar'",
        '    fit: expected 5, got 0',
        '    reason: lead: content_download (undated)',
        '0 passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('invalid cases: every problem with file:line:col and a "did you mean", exit 2', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.yaml': RULES,
      'cases.yaml': [
        'as_of: 2026-11-01',
        'cases:',
        '  - name: typos',
        '    contact: { Emial: a@b.example, industry: Software }',
        '    activities:',
        '      - { type: E-book downlod, time: 2026-10-02 }',
        '      - { type: email_reply, time: 05/06/2026 }',
        '    expect: { stage: sqll, contactable: maybe, scor: 3 }',
        '  - nam: x',
        '',
      ].join('\n'),
    });
    const r = await runMain(['test', 'rules.yaml', 'cases.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('funnel: error:'))).toEqual([
      "funnel: error: cases.yaml:4:16: the rules read no column 'Emial' — did you mean 'Email'?",
      "funnel: error: cases.yaml:6:17: the rules know no activity 'E-book downlod' (signal 'e_book_downlod') — did you mean 'e-book download'?",
      "funnel: error: cases.yaml:7:36: cannot tell the order of the slash date '05/06/2026': no activity date of this file has a day above 12 — set activities.date_order: dmy or mdy in the rules, or write YYYY-MM-DD",
      "funnel: error: cases.yaml:8:22: no stage 'sqll' in the rules — did you mean 'sql'?",
      "funnel: error: cases.yaml:8:41: 'contactable' must be yes or no, not 'maybe'",
      "funnel: error: cases.yaml:8:48: unknown key 'scor' in the expectations of case 'typos' — did you mean 'score'?",
      "funnel: error: cases.yaml:9:5: unknown key 'nam' in a case — did you mean 'name'?",
      "funnel: error: cases.yaml:9:5: case 'case 2' has no 'expect' — e.g. expect: { stage: lead }",
    ]);
  });

  it('invalid rules: exit 2 with the problems validate gives; a file that is neither: exit 2', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'rules.yaml': 'stages:\n  - { id: a, when: { activity: x } }\n', 'cases.yaml': CASES, 'other.yaml': 'foo: 1\n' });
    const r = await runMain(['test', 'rules.yaml', 'cases.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("funnel: error: rules.yaml:2:14: the first stage 'a' has a 'when'");
    const n = await runMain(['test', 'other.yaml'], { cwd: dir });
    expect(n.code).toBe(2);
    expect(n.stderr).toContain("other.yaml:1:1: is neither a rules file ('stages:') nor a cases file ('cases:')");
  });

  it('finds funnel.test.yaml beside the rules it discovers', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'funnel.yaml': RULES, 'funnel.test.yaml': CASES });
    const r = await runMain(['test'], { cwd: dir });
    expect(r.stdout.split('\n').at(-2)).toBe('3 passed, 1 failed');
    const none = await runMain(['test', 'funnel.yaml'], { cwd: tempDir() });
    expect(none.code).toBe(2);
    // The discovery of classify: parent folders, $FUNNEL_RULES.
    mkdirSync(join(dir, 'sub'));
    writeFiles(dir, { '.git': '' });
    const up = await runMain(['test'], { cwd: join(dir, 'sub'), env: { HOME: dir } });
    expect(up.stdout.split('\n').at(-2)).toBe('3 passed, 1 failed');
    expect(up.stdout).toContain('(../funnel.test.yaml:9)');
    const other = tempDir();
    writeFiles(other, { 'mine.yaml': RULES, 'funnel.test.yaml': CASES.replace('expect: { stage: sql, contactable: yes }', 'expect: { stage: suspect }') });
    const env = await runMain(['test'], { cwd: other, env: { FUNNEL_RULES: join(other, 'mine.yaml') } });
    expect(env.stdout.split('\n').at(-2)).toBe('4 passed, 0 failed');
  });

  it('funnel init writes cases that pass on the rules it writes', async () => {
    const dir = tempDir();
    expect((await runMain(['init'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(join(dir, 'funnel.test.yaml'), 'utf8')).toBe(`# yaml-language-server: $schema=./funnel.test.schema.json\n${readFileSync(join(ROOT, 'funnel.test.example.yaml'), 'utf8')}`);
    const r = await runMain(['test'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').at(-2)).toMatch(/^\d+ passed, 0 failed$/);
    // The example cases run on the built-in rules too.
    const b = tempDir();
    copyFileSync(join(ROOT, 'funnel.test.example.yaml'), join(b, 'funnel.test.yaml'));
    expect((await runMain(['test'], { cwd: b })).code).toBe(0);
  });

  it('sla and became_<stage>: the replay classify runs for rules with an sla', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'rules.yaml': [
        'version: 1',
        'contacts: { key: Email, created: Created }',
        'activities: { types: { content_download: [E-book download] } }',
        'stages:',
        '  - { id: suspect, action: observe }',
        '  - { id: lead, action: nurture, when: { activity: content_download }, sla: { within: 14d, action: "escalate: lead untouched" } }',
        '  - { id: sql, action: call, when: { activity: email_reply, within: 30d } }',
        '',
      ].join('\n'),
      'cases.yaml': [
        'as_of: 2026-11-01',
        'cases:',
        '  - name: a lead for three weeks is overdue',
        '    contact: { Email: a@b.example }',
        '    activities: [ { type: E-book download, time: 2026-10-10 } ]',
        '    expect: { stage: lead, sla: overdue, action: "escalate: lead untouched", became_lead: 2026-10-10, became_sql: never }',
        '  - name: an old reply keeps sql (stages do not move back)',
        '    contact: { Email: c@b.example, Created: 2026-09-01 }',
        '    activities: [ { type: E-book download, time: 2026-09-05 }, { type: email_reply, time: 2026-09-20 } ]',
        '    expect: { stage: sql, sla: none, became_lead: 2026-09-05, became_sql: 2026-09-20T00:00:00Z }',
        '  - name: wrong dates',
        '    contact: { Email: d@b.example }',
        '    activities: [ { type: E-book download, time: 2026-10-30 } ]',
        '    expect: { sla: overdue, became_lead: 2026-10-29 }',
        '',
      ].join('\n'),
    });
    const r = await runMain(['test', 'rules.yaml', 'cases.yaml'], { cwd: dir });
    expect(r.stdout).toBe(
      [
        '✓ a lead for three weeks is overdue',
        '✓ an old reply keeps sql (stages do not move back)',
        '✗ wrong dates (cases.yaml:11)',
        '    sla: expected overdue, got ok',
        '    became_lead: expected 2026-10-29, got 2026-10-30T00:00:00Z',
        '    reason: lead: content_download 2026-10-30',
        '2 passed, 1 failed',
        '',
      ].join('\n'),
    );
    writeFiles(dir, { 'typo.yaml': 'cases:\n  - expect: { became_sq: 2026-01-01, sla: late }\n' });
    const t = await runMain(['test', 'rules.yaml', 'typo.yaml'], { cwd: dir });
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("typo.yaml:2:15: unknown key 'became_sq' in the expectations of case 'case 1' — did you mean 'became_sql'?");
    expect(t.stderr).toContain("typo.yaml:2:43: 'sla' must be ok, overdue, none, not 'late'");
  });
});
