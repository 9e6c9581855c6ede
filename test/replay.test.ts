import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planActivities } from '../src/aggregate/plan.js';
import { Aggregates } from '../src/aggregate/store.js';
import { foldActivities } from '../src/aggregate/fold.js';
import { normalizeKey } from '../src/values/keys.js';
import { Classifier } from '../src/classify/classifier.js';
import { Replayer, NOT_ENTERED } from '../src/classify/timeline.js';
import { ReplayState } from '../src/aggregate/replay-state.js';
import type { Table, TableRow } from '../src/input/table.js';
import { rowSource } from '../src/input/records.js';
import { ROOT, rulesFrom } from './helpers.js';
import { HistoryBuilder } from '../src/output/history.js';
import { periodsOf } from '../src/aggregate/periods.js';

const EXAMPLE = readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8');
const DAY = 86_400_000;
const T0 = Date.parse('2025-06-01T00:00:00Z');
const AS_OF = Date.parse('2026-11-15T00:00:00Z');

function memTable(rows: string[][]): Table {
  async function* gen(): AsyncGenerator<TableRow> {
    let line = 2;
    for (const values of rows) yield { values: [...values], line: line++, width: values.length };
  }
  return { file: 'mem.csv', format: 'csv', delimiter: ',', encoding: 'utf-8', headers: ['Email', 'Activity Type', 'Activity Date'], records: rowSource(gen()) };
}

const HEADERS = ['Email', 'Industry', 'Number of Employees', 'Job Title', 'Country', 'Email opt-in', 'Lifecycle Stage'];

interface World {
  rules: ReturnType<typeof rulesFrom>;
  contacts: string[][];
  events: string[][];
}

/** Folds the events as of `asOf`, and gives the classifier, the aggregates and the replay's events. */
async function engine(w: World, asOf: number) {
  const plan = planActivities(w.rules, asOf);
  const aggs = new Aggregates(plan.counters.length, true);
  await foldActivities(memTable(w.events), { rules: w.rules, plan, aggs, warn: () => {} });
  const slots = w.contacts.map((c) => aggs.find(normalizeKey(c[0]!, 'email')));
  const classifier = new Classifier(w.rules, { headers: HEADERS, asOf, plan, aggs, warn: () => {} });
  return { plan, aggs, slots, classifier, events: aggs.events!.byContact(aggs.size) };
}

/** classify's code for each contact as of `asOf`: a stage index, or -1 when disqualified. */
async function classifyAt(w: World, asOf: number): Promise<number[]> {
  const e = await engine(w, asOf);
  return w.contacts.map((c, i) => e.classifier.classify(c, e.slots[i]!, []).stageIndex);
}

const LABELS = ['Page View', 'Email Open', 'Form Submission', 'E-book download', 'Webinar Attended', 'Email Reply', 'Meeting', 'Purchase', 'Referral', 'hard_bounce', 'Other thing'];
const event = fc.record({ contact: fc.integer({ min: 0, max: 5 }), label: fc.constantFrom(...LABELS), day: fc.integer({ min: 0, max: 540 }), hour: fc.integer({ min: 0, max: 23 }), undated: fc.boolean().map((b) => b && Math.random() < 0.1) });
const contact = fc.record({
  industry: fc.constantFrom('Software', 'Retail', ''),
  employees: fc.constantFrom('120', '5', ''),
  title: fc.constantFrom('Head of Sales', 'Intern'),
  country: fc.constantFrom('France', 'Brazil'),
  optin: fc.constantFrom('yes', 'no'),
  lifecycle: fc.constantFrom('', '', 'lead', 'customer'),
});
const world = (allow: boolean, decay = true) =>
  fc.record({ contacts: fc.array(contact, { minLength: 6, maxLength: 6 }), events: fc.array(event, { maxLength: 40 }) }).map(
    (g): World => ({
      // Without decay, moments where no counter moves keep the last verdict (the incremental path).
      rules: rulesFrom(EXAMPLE.replace('allow_regression: false', `allow_regression: ${allow}`).replace(decay ? /^$/ : /half_life: 30d/, '')),
      contacts: g.contacts.map((c, i) => [`c${i}@x.io`, c.industry, c.employees, c.title, c.country, c.optin, c.lifecycle]),
      events: g.events.map((e) => [`c${e.contact}@x.io`, e.label, e.undated ? 'someday' : new Date(T0 + e.day * DAY + e.hour * 3_600_000).toISOString()]),
    }),
  );

describe('replay: the rules as of each moment', () => {
  it.each([true, false])('at each period end the replay (regression allowed) is classify --as-of that moment (decay: %s)', async (decay) => {
    await fc.assert(
      fc.asyncProperty(world(true, decay), fc.uniqueArray(fc.integer({ min: 1, max: 530 }), { minLength: 1, maxLength: 4 }), async (w, days) => {
        const ends = Float64Array.from(days.map((d) => T0 + d * DAY + 7 * 3_600_000).sort((a, b) => a - b));
        const e = await engine(w, AS_OF);
        const rp = new Replayer(e.classifier, w.rules, e.plan, e.events, AS_OF, ends);
        const got = w.contacts.map((c, i) => Array.from(rp.run(c, e.slots[i]!, NaN).atEnd));
        for (let p = 0; p < ends.length; p++) {
          const want = await classifyAt(w, ends[p]!);
          for (let i = 0; i < w.contacts.length; i++) {
            const code = got[i]![p]!;
            if (code === NOT_ENTERED) continue;
            expect(code < 0 ? -1 : code, `contact ${i} at ${new Date(ends[p]!).toISOString()}`).toBe(want[i]);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('at the last moment: = classify with allow_regression: true; else the more mature of classify and the peak', async () => {
    for (const allow of [true, false]) {
      await fc.assert(
        fc.asyncProperty(world(allow), async (w) => {
          const e = await engine(w, AS_OF);
          const rp = new Replayer(e.classifier, w.rules, e.plan, e.events, AS_OF);
          for (let i = 0; i < w.contacts.length; i++) {
            const t = rp.run(w.contacts[i]!, e.slots[i]!, NaN);
            const v = e.classifier.classify(w.contacts[i]!, e.slots[i]!, [], t.floor);
            const plain = e.classifier.classify(w.contacts[i]!, e.slots[i]!, []).stageIndex;
            expect(t.last < 0 ? -1 : t.last).toBe(v.stageIndex);
            if (allow) expect(v.stageIndex).toBe(plain);
            else if (t.disqualifiedAt.length === 0) expect(v.stageIndex).toBe(Math.max(plain, t.peak));
            // became_X ≤ became_Y for X before Y; a stage reached has its date, one not reached none.
            for (let s = 1; s < w.rules.stages.length; s++) {
              if (s <= t.peak && t.how !== 'as-of' && t.how !== 'later') expect(t.became[s]).toBeGreaterThanOrEqual(t.became[s - 1]!);
              else expect(Number.isNaN(t.became[s]!)).toBe(true);
            }
          }
        }),
        { numRuns: 30 },
      );
    }
  });
});

describe('history from the replay', () => {
  it('balance of a period = contacts at that stage at its end (classify --as-of the end); entered summed ≤ reached', async () => {
    await fc.assert(
      fc.asyncProperty(world(true), async (w) => {
        const asOf = Date.parse('2026-11-10T00:00:00Z');
        const periods = periodsOf(asOf, 'month', 'UTC');
        const e = await engine(w, asOf);
        const ends = Float64Array.from(periods.slice(0, -1).map((p) => p.end));
        const rp = new Replayer(e.classifier, w.rules, e.plan, e.events, asOf, ends);
        const b = new HistoryBuilder(w.rules.stages, periods, false);
        // Every contact created before the first period, so that every one is in every balance.
        const created = Date.parse('2025-01-01T00:00:00Z');
        const reached = new Array(w.rules.stages.length).fill(0);
        w.contacts.forEach((c, i) => {
          const t = rp.run(c, e.slots[i]!, created);
          b.add(t);
          for (let s = 0; s <= t.peak; s++) reached[s]++;
        });
        const h = b.build({ tool: { name: 'funnel', version: '' }, kind: 'history', as_of: '', every: 'month', since: '', timezone: 'UTC', rules: { source: '', sha256: '' }, periods: [], stages: [], undated_events: 0, inputs: { contacts: [], activities: [] } });
        const ids = [...w.rules.stages.map((s) => s.id), 'disqualified'];
        for (const [p, per] of periods.entries()) {
          const want = await classifyAt(w, per.end);
          for (const [s, id] of ids.entries()) {
            const row = h.rows.find((r) => r.period === per.id && r.stage === id)!;
            expect(row.balance, `${per.id} ${id}`).toBe(want.filter((x) => (s === ids.length - 1 ? x < 0 : x === s)).length);
          }
          void p;
        }
        for (const [s, id] of w.rules.stages.entries()) expect(h.rows.filter((r) => r.stage === id).reduce((a, r) => a + r.entered, 0)).toBeLessThanOrEqual(reached[s]);
      }),
      { numRuns: 15 },
    );
  });
});

describe('replay state', () => {
  it('counts and scores as the fold does at each moment', async () => {
    const rules = rulesFrom(EXAMPLE);
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 30 }), fc.integer({ min: 0, max: 560 }), async (evs, day) => {
        const w: World = { rules, contacts: [['c0@x.io', '', '', '', '', '', '']], events: evs.map((e) => ['c0@x.io', e.label, e.undated ? 'n/a' : new Date(T0 + e.day * DAY).toISOString()]) };
        const m = T0 + day * DAY + 3_600_000;
        const at = await engine(w, m);
        const all = await engine(w, AS_OF);
        const slot = all.slots[0]!;
        if (slot < 0) return;
        const st = new ReplayState(all.plan);
        const ev = all.events;
        const from = ev.starts[slot]!;
        st.start(ev, from, ev.starts[slot + 1]!, T0 - DAY);
        st.advance(m);
        const n = all.plan.counters.length;
        const s0 = at.slots[0]!;
        for (let c = 0; c < n; c++) expect(st.view.counts[c], `counter ${c}`).toBe(s0 < 0 ? 0 : at.aggs.counts[s0 * n + c]);
        expect(st.view.score).toBeCloseTo(at.aggs.scoreOf(s0), 9);
      }),
      { numRuns: 60 },
    );
  });
});
