import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Rules } from '../src/rules/model.js';
import { allConditions } from '../src/rules/walk.js';
import { compileSql } from '../src/sql/compile.js';
import { DIALECTS } from '../src/sql/dialect.js';
import { classifyMem, rulesFrom } from './helpers.js';

const AS_OF = '2026-11-15T00:00:00Z';

function rules(when: string, extra = ''): string {
  return `
version: 1
fields: { emp: Employees, ind: Industry, seen: Last Seen, site: Website }
scoring:
  half_life: 30d
  points: { email_open: 2, email_reply: 20, page_view: 1 }
  fit:
    - { when: { field: ind, in: [Software] }, points: 20 }
    - { when: { field: emp, gte: 50 }, points: 15 }
persona: { fit: { gte: 30 } }
consent: { when: { field: Optin, equals: yes } }
${extra}
stages:
  - { id: base }
  - { id: hit, when: ${when} }
`;
}

type Case = [name: string, when: string, contact: Record<string, string>, events: [string, string, string][], expected: boolean];

const C = (o: Record<string, string> = {}): Record<string, string> => ({ Email: 'a@x.com', ...o });
const E = (type: string, time: string): [string, string, string] => ['a@x.com', type, time];

const cases: Case[] = [
  // field: equals / not_equals, trimmed and case-insensitive, numbers compared as numbers
  ['equals ignores case and spaces', '{ field: ind, equals: software }', C({ Industry: '  SOFTWARE ' }), [], true],
  ['equals differs', '{ field: ind, equals: software }', C({ Industry: 'Retail' }), [], false],
  ['equals on missing value', '{ field: ind, equals: software }', C(), [], false],
  ['equals number against 50.0', '{ field: emp, equals: 50 }', C({ Employees: '50.0' }), [], true],
  ['not_equals holds on missing', '{ field: ind, not_equals: software }', C(), [], true],
  ['not_equals on equal value', '{ field: ind, not_equals: software }', C({ Industry: 'Software' }), [], false],
  ['not_equals on other value', '{ field: ind, not_equals: software }', C({ Industry: 'Retail' }), [], true],
  // in / not_in
  ['in', '{ field: ind, in: [SaaS, Software] }', C({ Industry: 'saas' }), [], true],
  ['in misses', '{ field: ind, in: [SaaS, Software] }', C({ Industry: 'Retail' }), [], false],
  ['in on empty', '{ field: ind, in: [SaaS, ""] }', C({ Industry: '' }), [], false],
  ['not_in holds on missing', '{ field: ind, not_in: [SaaS] }', C(), [], true],
  ['not_in on listed value', '{ field: ind, not_in: [SaaS] }', C({ Industry: 'SaaS' }), [], false],
  // contains / matches
  ['contains', '{ field: Job Title, contains: market }', C({ 'Job Title': 'Head of Marketing' }), [], true],
  ['contains on missing', '{ field: Job Title, contains: market }', C(), [], false],
  ['matches is case-insensitive', '{ field: Job Title, matches: "^head of" }', C({ 'Job Title': 'HEAD OF SALES' }), [], true],
  ['matches misses', '{ field: Job Title, matches: "^head of" }', C({ 'Job Title': 'Sales head of' }), [], false],
  ['matches on missing', '{ field: Job Title, matches: ".*" }', C(), [], false],
  // present
  ['present true', '{ field: ind, present: true }', C({ Industry: 'x' }), [], true],
  ['present true on blanks', '{ field: ind, present: true }', C({ Industry: '   ' }), [], false],
  ['present false on missing column', '{ field: Nothing, present: false }', C(), [], true],
  ['present false on a value', '{ field: ind, present: false }', C({ Industry: 'x' }), [], false],
  // numbers
  ['gte on the edge', '{ field: emp, gte: 50 }', C({ Employees: '50' }), [], true],
  ['gt on the edge', '{ field: emp, gt: 50 }', C({ Employees: '50' }), [], false],
  ['lt', '{ field: emp, lt: 50 }', C({ Employees: '49.9' }), [], true],
  ['lte', '{ field: emp, lte: 50 }', C({ Employees: '51' }), [], false],
  ['thousands separator', '{ field: emp, gte: 1000 }', C({ Employees: '1,200' }), [], true],
  ['spaces as thousands', '{ field: emp, gte: 1000 }', C({ Employees: '10 000' }), [], true],
  ['decimal comma', '{ field: emp, gt: 1 }', C({ Employees: '1,5' }), [], true],
  ['unparsable number', '{ field: emp, gte: 1 }', C({ Employees: 'many' }), [], false],
  ['number on missing', '{ field: emp, lt: 100 }', C(), [], false],
  ['range in one atom', '{ field: emp, gte: 10, lte: 100 }', C({ Employees: '120' }), [], false],
  // dates in fields
  ['gte date', '{ field: seen, gte: 2026-01-01 }', C({ 'Last Seen': '2026-01-01' }), [], true],
  ['lt date', '{ field: seen, lt: 2026-01-01 }', C({ 'Last Seen': '2025-12-31T23:59:59Z' }), [], true],
  ['before is strict', '{ field: seen, before: 2026-01-01 }', C({ 'Last Seen': '2026-01-01' }), [], false],
  ['before', '{ field: seen, before: 2026-01-01 }', C({ 'Last Seen': '2025-06-01' }), [], true],
  ['after is strict', '{ field: seen, after: 2026-01-01 }', C({ 'Last Seen': '2026-01-01' }), [], false],
  ['after', '{ field: seen, after: 2026-01-01 }', C({ 'Last Seen': '2026-01-02' }), [], true],
  ['before on unparsable date', '{ field: seen, before: 2030-01-01 }', C({ 'Last Seen': 'yesterday' }), [], false],
  ['within includes its edge', '{ field: seen, within: 30d }', C({ 'Last Seen': '2026-10-16T00:00:00Z' }), [], true],
  ['within just outside', '{ field: seen, within: 30d }', C({ 'Last Seen': '2026-10-15T23:59:59Z' }), [], false],
  ['within excludes the future', '{ field: seen, within: 30d }', C({ 'Last Seen': '2026-11-20' }), [], false],
  ['within on missing', '{ field: seen, within: 30d }', C(), [], false],
  ['within in weeks', '{ field: seen, within: 2w }', C({ 'Last Seen': '2026-11-02' }), [], true],
  // domain_in
  ['domain_in', '{ field: Email, domain_in: [x.com] }', C(), [], true],
  ['domain_in subdomain', '{ field: Email, domain_in: [x.com] }', C({ Email: 'b@mail.X.com' }), [], true],
  ['domain_in not a suffix trick', '{ field: Email, domain_in: [x.com] }', C({ Email: 'b@box.com' }), [], false],
  ['domain_in written with @ and capitals', '{ field: Email, domain_in: ["@X.Com"] }', C({ Email: 'b@mail.x.com' }), [], true],
  ['domain_in on a website column', '{ field: site, domain_in: [rival.example] }', C({ Website: 'https://www.rival.example/about' }), [], true],
  ['domain_in on missing', '{ field: site, domain_in: [rival.example] }', C(), [], false],
  // activity
  ['activity any time', '{ activity: email_open }', C(), [E('Email Open', '2020-01-01')], true],
  ['activity absent', '{ activity: email_open }', C(), [E('Page View', '2026-11-01')], false],
  ['activity list', '{ activity: [call, meeting] }', C(), [E('Meeting', '2026-11-01')], true],
  ['activity label is snake_cased', '{ activity: demo_request }', C(), [E('Demo Request', '2026-11-01')], true],
  ['activity within edge', '{ activity: email_open, within: 10d }', C(), [E('Email Open', '2026-11-05T00:00:00Z')], true],
  ['activity within outside', '{ activity: email_open, within: 10d }', C(), [E('Email Open', '2026-11-04T23:59:00Z')], false],
  ['activity within hours', '{ activity: email_open, within: 12h }', C(), [E('Email Open', '2026-11-14T13:00:00Z')], true],
  ['activity within months', '{ activity: email_open, within: 1mo }', C(), [E('Email Open', '2026-10-16')], true],
  ['activity within a year', '{ activity: email_open, within: 1y }', C(), [E('Email Open', '2025-11-14')], false],
  ['activity since includes its date', '{ activity: email_open, since: 2026-11-01 }', C(), [E('Email Open', '2026-11-01T00:00:00Z')], true],
  ['activity since', '{ activity: email_open, since: 2026-11-01 }', C(), [E('Email Open', '2026-10-31T23:00:00Z')], false],
  ['activity after as-of is ignored', '{ activity: email_open }', C(), [E('Email Open', '2026-11-16')], false],
  ['undated activity counts without a window', '{ activity: email_open }', C(), [E('Email Open', 'soon')], true],
  ['undated activity counts for no window', '{ activity: email_open, within: 1y }', C(), [E('Email Open', 'soon')], false],
  ['count at least', '{ activity: email_open, count: 2 }', C(), [E('Email Open', '2026-11-01'), E('Email Open', '2026-11-02')], true],
  ['count not reached', '{ activity: email_open, count: 3 }', C(), [E('Email Open', '2026-11-01'), E('Email Open', '2026-11-02')], false],
  ['count range', '{ activity: email_open, count: { gte: 1, lte: 1 } }', C(), [E('Email Open', '2026-11-01'), E('Email Open', '2026-11-02')], false],
  ['count lte 0 means none', '{ activity: email_open, count: { lte: 0 } }', C(), [], true],
  ['count with window', '{ activity: email_open, within: 7d, count: 2 }', C(), [E('Email Open', '2026-11-01'), E('Email Open', '2026-11-14')], false],
  ['key match ignores case and spaces', '{ activity: email_open }', C({ Email: ' A@X.COM ' }), [E('Email Open', '2026-11-01')], true],
  // score, fit, persona, consent
  ['score decays by half-life', '{ score: { gte: 10 } }', C(), [E('Email Reply', '2026-10-16T00:00:00Z')], true],
  ['score below after two half-lives', '{ score: { gt: 5 } }', C(), [E('Email Reply', '2026-09-16T00:00:00Z')], false],
  ['score lt', '{ score: { lt: 1 } }', C(), [], true],
  ['fit', '{ fit: { gte: 35 } }', C({ Industry: 'Software', Employees: '50' }), [], true],
  ['fit short', '{ fit: { gte: 35 } }', C({ Industry: 'Software' }), [], false],
  ['persona true', '{ persona: true }', C({ Industry: 'Software', Employees: '50' }), [], true],
  ['persona false', '{ persona: false }', C({ Industry: 'Software' }), [], true],
  ['consent true', '{ consent: true }', C({ Optin: 'YES' }), [], true],
  ['consent false', '{ consent: false }', C({ Optin: 'no' }), [], true],
  // combinators
  ['all', '{ all: [ { field: ind, present: true }, { activity: email_open } ] }', C({ Industry: 'x' }), [E('Email Open', '2026-11-01')], true],
  ['all fails on one', '{ all: [ { field: ind, present: true }, { activity: email_open } ] }', C({ Industry: 'x' }), [], false],
  ['any', '{ any: [ { field: ind, present: true }, { activity: email_open } ] }', C(), [E('Email Open', '2026-11-01')], true],
  ['any none', '{ any: [ { field: ind, present: true }, { activity: email_open } ] }', C(), [], false],
  ['not', '{ not: { field: ind, equals: retail } }', C({ Industry: 'Software' }), [], true],
  ['not of missing equals', '{ not: { field: ind, equals: retail } }', C(), [], true],
];

describe('every atom and operator', () => {
  it.each(cases)('%s', async (_name, when, contact, events, expected) => {
    const [v] = await classifyMem(rules(when), [contact], events, AS_OF);
    expect(v!.stage).toBe(expected ? 'hit' : 'base');
  });
});

/**
 * The same table on DuckDB: each case's rules compiled by `funnel sql` and run on its contact and events, which
 * must give the expected stage and the classifier's verdict (stage, score, fit, persona, contactable). One
 * in-memory DuckDB; every case's rows loaded at once into one table of contacts and one of activities, each case
 * reading its own rows through a view.
 */
describe('every atom and operator, in SQL on DuckDB as in the classifier', () => {
  type SqlRow = { stage: string; score: number; fit: number; persona: string; contactable: string };
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const results = new Map<number, SqlRow>();
  const lit = (v: string | undefined): string => (v === undefined ? 'NULL' : `'${v.replace(/'/g, "''")}'`);
  const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

  /** A table has a schema: `funnel sql` reads the columns the rules name, so the rules name them. */
  function sqlRules(when: string): Rules {
    const r = rulesFrom(rules(when));
    return { ...r, contacts: { ...r.contacts, key: 'Email' }, activities: { ...r.activities, key: 'Email', type: 'Activity Type', time: 'Activity Date' } };
  }

  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    // Planning is most of the time here (a query is 25–150 KB of date parsing over a row or two): the optimizer,
    // which may not change a result, is left out (test/sql.test.ts runs the compiled queries with it), and one
    // thread spares the scheduling of several over a row.
    await conn.run('PRAGMA disable_optimizer; SET threads = 1');
    const compiled = cases.map(([, when]) => sqlRules(when));
    // Every column a case's contact has or its rules read; a case without it holds NULL there (a missing value).
    const columns = [...new Set([...cases.flatMap(([, , contact]) => Object.keys(contact)), ...compiled.flatMap((r) => allConditions(r).flatMap((c) => (c.kind === 'field' ? [r.fields.get(c.field) ?? c.field] : [])))])];
    const contactRows = cases.map(([, , contact], i) => `(${i}, ${columns.map((c) => lit(contact[c])).join(', ')})`);
    const activityRows = cases.flatMap(([, , , events], i) => events.map((e) => `(${i}, ${e.map(lit).join(', ')})`));
    await conn.run(`CREATE TABLE contacts_all (case_id INTEGER, ${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
    await conn.run(`CREATE TABLE activities_all (case_id INTEGER, "Email" VARCHAR, "Activity Type" VARCHAR, "Activity Date" VARCHAR)`);
    await conn.run(`INSERT INTO contacts_all VALUES ${contactRows.join(', ')}`);
    if (activityRows.length) await conn.run(`INSERT INTO activities_all VALUES ${activityRows.join(', ')}`);
    await conn.run(cases.map((_, i) => `CREATE VIEW contacts_${i} AS SELECT * EXCLUDE (case_id) FROM contacts_all WHERE case_id = ${i}; CREATE VIEW activities_${i} AS SELECT * EXCLUDE (case_id) FROM activities_all WHERE case_id = ${i};`).join('\n'));
    for (const [i, r] of compiled.entries()) {
      const query = compileSql(r, DIALECTS.duckdb, { contactsTable: `contacts_${i}`, activitiesTable: `activities_${i}`, asOf: Date.parse(AS_OF), prefix: 'funnel_' });
      const [row] = (await conn.runAndReadAll(query)).getRowObjects();
      results.set(i, { stage: String(row!.funnel_stage), score: Number(row!.funnel_score), fit: Number(row!.funnel_fit), persona: String(row!.funnel_persona), contactable: String(row!.funnel_contactable) });
    }
  });
  afterAll(() => {
    conn?.closeSync();
  });

  it.each(cases.map((c, i) => [...c, i] as const))('%s', async (_name, when, contact, events, expected, i) => {
    const [v] = await classifyMem(rules(when), [contact], events, AS_OF);
    const sql = results.get(i)!;
    expect(sql.stage).toBe(expected ? 'hit' : 'base');
    const { score, ...rest } = sql;
    expect(rest).toEqual({ stage: v!.stage, fit: v!.fit, persona: v!.persona ? 'yes' : 'no', contactable: v!.consent ? 'yes' : 'no' });
    // The SQL's score is rounded to one decimal, as funnel_score is written.
    expect(Math.abs(score - v!.score)).toBeLessThanOrEqual(0.05);
  });
});

describe('scoring arithmetic', () => {
  it('decays points × 0.5^(age / half_life) and sums', async () => {
    const [v] = await classifyMem(rules('{ score: { gte: 0 } }'), [C()], [E('Email Reply', '2026-10-16T00:00:00Z'), E('Email Open', '2026-11-15T00:00:00Z'), E('Page View', '2026-08-17T00:00:00Z')], AS_OF);
    expect(v!.score).toBeCloseTo(20 * 0.5 + 2 + 1 * 0.125, 10);
  });
  it('does not decay without a half-life, and undated events then count in full', async () => {
    const yaml = rules('{ score: { gte: 0 } }').replace('half_life: 30d', '');
    const [v] = await classifyMem(yaml, [C()], [E('Email Reply', '2020-01-01'), E('Email Open', 'unknown')], AS_OF);
    expect(v!.score).toBe(22);
  });
  it('gives undated events no score when points decay', async () => {
    const [v] = await classifyMem(rules('{ score: { gte: 0 } }'), [C()], [E('Email Reply', 'unknown')], AS_OF);
    expect(v!.score).toBe(0);
  });
  it('compares the unrounded score', async () => {
    // 20 × 0.5^(1/30 of a half-life…) just under 20: rounds to 20.0 but fails gte 20.
    const [v] = await classifyMem(rules('{ score: { gte: 20 } }'), [C()], [E('Email Reply', '2026-11-14T23:59:00Z')], AS_OF);
    expect(v!.score).toBeLessThan(20);
    expect(Math.round(v!.score * 10) / 10).toBe(20);
    expect(v!.stage).toBe('base');
  });
  it('sums fit points of the rules that hold', async () => {
    const [v] = await classifyMem(rules('{ fit: { gte: 0 } }'), [C({ Industry: 'software', Employees: '51' })], [], AS_OF);
    expect(v!.fit).toBe(35);
  });
});

describe('field verdicts remembered per value', () => {
  it('give every row the verdict and the warnings of its own value, repeated or unique, before and after the trial', async () => {
    const yaml = rules('{ any: [ { field: emp, gte: 50 }, { field: Email, matches: "^x[0-9]*7@" } ] }');
    const sizes = ['120', 'unknown', '10', ' 120 ', '1,200', 'n/a', ''];
    // Past the memo's trial (4096 lookups): the sizes repeat, the emails never do.
    const contacts = Array.from({ length: 6000 }, (_, i) => C({ Email: `x${i}@x.com`, Employees: sizes[i % sizes.length]! }));
    const verdicts = await classifyMem(yaml, contacts, [], AS_OF);
    verdicts.forEach((v, i) => {
      const size = sizes[i % sizes.length]!;
      const n = Number(size.trim().replace(',', ''));
      const expected = (size.trim() !== '' && n >= 50) || /^x[0-9]*7@/.test(`x${i}@x.com`);
      expect(v.stage, `row ${i} (${size})`).toBe(expected ? 'hit' : 'base');
      const unparsable = size.trim() !== '' && Number.isNaN(n);
      expect(v.warnings, `row ${i} (${size})`).toEqual(unparsable ? [`unparsable number in Employees: '${size.trim()}'`] : []);
    });
  });
});

describe('field verdicts remembered per value: warnings said by two conditions', () => {
  it('gives a row the warning of a condition asked of it even when another condition said it first on an earlier row', async () => {
    // Row 1: mql's all asks both its conditions (the size warns), then lead's lt warns the same text.
    // Row 2: mql's all stops at country; only lead's lt reads the size, from its memo — its warning must come too.
    const yaml = `
version: 1
fields: { emp: Employees }
stages:
  - { id: base }
  - { id: lead, when: { field: emp, lt: 10 } }
  - { id: mql, when: { all: [ { field: Country, equals: US }, { field: emp, gte: 50 } ] } }
`;
    const rows = [C({ Email: 'a@x.com', Country: 'US', Employees: 'n/a' }), C({ Email: 'b@x.com', Country: 'FR', Employees: 'n/a' })];
    const verdicts = await classifyMem(yaml, rows, [], AS_OF);
    for (const v of verdicts) expect(v.warnings).toEqual(["unparsable number in Employees: 'n/a'"]);
  });
});

describe('stages', () => {
  const yaml = `
stages:
  - { id: s }
  - { id: l, when: { activity: form_submit } }
  - { id: m, when: { activity: download } }
  - { id: c, when: { activity: purchase } }
  - { id: a, when: { all: [ { stage: c }, { activity: referral } ] } }
disqualify:
  - { id: first, when: { field: Email, domain_in: [bad.com] } }
  - { id: second, when: { field: Email, contains: bad } }
`;
  it('gives the most mature stage whose condition holds, even when a less mature one does not', async () => {
    const [v] = await classifyMem(yaml, [C()], [E('Purchase', '2026-01-01')], AS_OF);
    expect(v!.stage).toBe('c');
  });
  it('resolves stage references', async () => {
    const [v] = await classifyMem(yaml, [C()], [E('Purchase', '2026-01-01'), E('Referral', '2026-02-01')], AS_OF);
    expect(v!.stage).toBe('a');
    expect(v!.reason).toBe('a: c (purchase 2026-01-01); referral 2026-02-01');
  });
  it('checks disqualification first, the first rule that holds winning', async () => {
    const [v] = await classifyMem(yaml, [C({ Email: 'x@bad.com' })], [E('Purchase', '2026-01-01')], AS_OF);
    expect(v!.stage).toBe('disqualified');
    expect(v!.disqualifiedBy).toBe('first');
  });
  it('defaults: no persona means every contact fits, no consent means contactable, no scoring means 0', async () => {
    const [v] = await classifyMem(yaml, [C()], [E('Page View', '2026-11-01')], AS_OF);
    expect(v!.persona).toBe(true);
    expect(v!.consent).toBe(true);
    expect(v!.score).toBe(0);
    expect(v!.content).toBe('');
    expect(v!.action).toBe('');
  });
  it('uses the consent action only for stages that need consent', async () => {
    const y = `
consent: { when: { field: Optin, equals: yes }, action: no mail }
stages:
  - { id: s, action: observe }
  - { id: c, action: onboard, needs_consent: false, when: { activity: purchase } }
`;
    const [a, b] = await classifyMem(y, [C({ Optin: 'no' }), C({ Email: 'b@x.com', Optin: 'no' })], [E('Purchase', '2026-01-01')], AS_OF);
    expect(a!.action).toBe('onboard');
    expect(b!.action).toBe('no mail');
  });
});
