/**
 * The fold reads dates and labels from a record's bytes where it can: the byte ISO parser against `parseDate`,
 * and a fold over the byte tokenizer's records against one over csv-parse's text records.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { isoDay, isoFastBytes, parseDate, slashHint, slashHintBytes } from '../src/values/dates.js';
import { inputRef } from '../src/input/bytes.js';
import { openTable } from '../src/input/table.js';
import { planActivities } from '../src/aggregate/plan.js';
import { Aggregates } from '../src/aggregate/store.js';
import { foldActivities, type FoldStats } from '../src/aggregate/fold.js';
import { LabelCodes, BLANK_LABEL } from '../src/aggregate/label-codes.js';
import { ByteRecord } from '../src/input/record.js';
import { rulesFrom, tempDir } from './helpers.js';

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** Dates near the fast shapes: every part sometimes out of range, separators and zones varied, cut or padded. */
const isoish = fc
  .record({
    y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2026, 2100)),
    mo: fc.integer({ min: 0, max: 19 }),
    d: fc.integer({ min: 0, max: 39 }),
    sep: fc.constantFrom('T', ' ', 't', '_', ''),
    h: fc.integer({ min: 0, max: 29 }),
    mi: fc.integer({ min: 0, max: 69 }),
    s: fc.option(fc.integer({ min: 0, max: 69 })),
    frac: fc.option(fc.constantFrom('.5', '.123', ',25')),
    zone: fc.constantFrom('', 'Z', 'z', '+02:00', '-0530', '+01', ' UTC', 'GMT', 'Q'),
    time: fc.boolean(),
    cut: fc.integer({ min: -3, max: 3 }),
    around: fc.constantFrom('', ' ', 'x', 'é'),
    dash: fc.constantFrom('-', '-', '-', '/', '.'),
  })
  .map((p) => {
    let t = `${pad(p.y, 4)}${p.dash}${pad(p.mo, 2)}${p.dash}${pad(p.d, 2)}`;
    if (p.time) t += `${p.sep}${pad(p.h, 2)}:${pad(p.mi, 2)}${p.s === null ? '' : `:${pad(p.s, 2)}${p.frac ?? ''}`}${p.zone}`;
    if (p.cut < 0) t = t.slice(0, t.length + p.cut);
    else if (p.cut > 0) t += '0'.repeat(p.cut);
    return p.around === '' ? t : p.cut % 2 === 0 ? p.around + t : t + p.around;
  });

const zones = fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata');

describe('isoFastBytes', () => {
  it('gives what parseDate gives, wherever it answers, at any offset in a buffer', () => {
    fc.assert(
      fc.property(isoish, zones, fc.string({ maxLength: 3 }), (text, tz, before) => {
        const b = Buffer.from(`${before}${text},`);
        const s = Buffer.byteLength(before);
        const got = isoFastBytes(b, s, b.length - 1, tz);
        if (got !== undefined) expect(Object.is(got, parseDate(text, tz))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers for every shape of the fast path, the invalid dates among them (NaN)', () => {
    const fast = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?[Zz]?)?$/;
    fc.assert(
      fc.property(isoish, zones, (text, tz) => {
        if (!fast.test(text)) return;
        const b = Buffer.from(text);
        const got = isoFastBytes(b, 0, b.length, tz);
        expect(got).not.toBeUndefined();
        expect(Object.is(got, parseDate(text, tz))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['2026-02-30', NaN],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2026-11-05T24:00', NaN],
    ['2026-11-05T23:59:60Z', Date.UTC(2026, 10, 5, 23, 59, 60)],
    ['2026-11-05 10:30', Date.UTC(2026, 10, 5, 10, 30)],
    ['2026-11-05T10:30:15z', Date.UTC(2026, 10, 5, 10, 30, 15)],
  ])('%s', (text, want) => {
    const b = Buffer.from(text);
    expect(Object.is(isoFastBytes(b, 0, b.length, 'UTC'), want)).toBe(true);
    expect(Object.is(parseDate(text, 'UTC'), want)).toBe(true);
  });

  it('reads a time without an offset in the rules zone, as parseDate does', () => {
    const b = Buffer.from('2026-03-29T02:30:00');
    expect(isoFastBytes(b, 0, b.length, 'Europe/Paris')).toBe(parseDate('2026-03-29T02:30:00', 'Europe/Paris'));
  });

  it.each(['2026-11-05T10:30:15+02:00', ' 2026-11-05', '2026-11-05 ', '2026/11/05', '20261105', '2026-11-5', '2026-11-05T10:30:15.5Z'])('leaves %j to parseDate', (text) => {
    const b = Buffer.from(text);
    expect(isoFastBytes(b, 0, b.length, 'UTC')).toBeUndefined();
  });
});

describe('slashHintBytes', () => {
  it("says 'none' only where slashHint says it", () => {
    fc.assert(
      fc.property(fc.oneof(isoish, fc.string({ maxLength: 12 }), fc.constantFrom('05/03/2026', '13/03/2026', 'éé-é-x', '0é-03-2026')), (text) => {
        const b = Buffer.from(text);
        if (slashHintBytes(b, 0, b.length) === 'none') expect(slashHint(text)).toBe('none');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('LabelCodes', () => {
  const codeOf = (label: string): number => (label.startsWith('x') ? -1 : label.length);
  const recordOf = (field: string): ByteRecord => {
    const r = new ByteRecord();
    r.buf = Buffer.from(`a,${field}`);
    r.width = 2;
    r.starts[1] = 2;
    r.ends[1] = r.buf.length;
    return r;
  };

  it('codes a label by its bytes as by its text; blank labels apart', () => {
    const labels = new LabelCodes(codeOf);
    for (const [label, want] of [['Page View', 9], ['xyz', -1], ['', BLANK_LABEL], [' \t', BLANK_LABEL], ['\u00a0', BLANK_LABEL], ['Page View', 9], ['é', 1]] as const) {
      expect(labels.code(recordOf(label), 1)).toBe(want);
    }
  });

  it('tells apart labels alike in length, ends and middle (the same guess)', () => {
    const labels = new LabelCodes((label) => (label === 'aXbcd' ? 1 : 2));
    for (let i = 0; i < 4; i++) {
      expect(labels.code(recordOf('aXbcd'), 1)).toBe(1);
      expect(labels.code(recordOf('aYbcd'), 1)).toBe(2);
    }
  });

  it('stays right past its bound, with a label of every kind', () => {
    const labels = new LabelCodes(codeOf);
    for (let i = 0; i < 10_000; i++) {
      const label = `L${i % 5000}${'y'.repeat(i % 300)}`;
      expect(labels.code(recordOf(label), 1)).toBe(label.length);
    }
  });
});

describe('the fold over bytes and over text', () => {
  const rules = rulesFrom(`
version: 1
contacts: { key: Email }
activities:
  key: Email
  type: Type
  time: Date
  types: { page_view: [Page View, 'Visit "x"'], email_open: [Email Open] }
scoring:
  half_life: 30d
  points: { page_view: 1, email_open: 2, demo_request: 30 }
stages:
  - { id: new }
  - { id: engaged, when: { activity: [page_view, email_open], within: 90d } }
  - { id: demo, when: { activity: demo_request } }
`);
  const label = fc.constantFrom('Page View', 'page view', 'Email Open', 'Demo Request', 'Other', '', ' ', 'Visit "x"', 'Ünïcode');
  const date = fc.oneof(isoish, fc.constantFrom('05/03/2026', '2026-10-01', '', '1762000000', '13/10/2026 10:00', 'garbage'));
  const quote = (v: string): string => (/[",\n]/.test(v) || v.startsWith(' ') ? `"${v.replaceAll('"', '""')}"` : v);

  const fold = async (path: string, dir: string, parser: 'fast' | 'csv-parse'): Promise<{ stats: FoldStats | string; data: unknown }> => {
    const plan = planActivities(rules, Date.UTC(2026, 10, 15));
    const aggs = new Aggregates(plan.counters.length);
    const table = await openTable(inputRef(path, dir), { warn: () => {}, parser });
    try {
      const stats = await foldActivities(table, { rules, plan, aggs, warn: () => {} });
      return { stats, data: aggs.data() };
    } catch (e) {
      return { stats: (e as Error).message, data: undefined };
    }
  };

  it('gives the same aggregates and counts', async () => {
    const dir = tempDir();
    const path = join(dir, 'a.csv');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a@x.io', 'B@x.io ', ''), label, date), { maxLength: 60 }), async (rows) => {
        writeFileSync(path, `Email,Type,Date\n${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`);
        const bytes = await fold(path, dir, 'fast');
        const text = await fold(path, dir, 'csv-parse');
        expect(bytes).toEqual(text);
      }),
      { numRuns: 150 },
    );
  });
});

describe('isoDay in UTC, its days remembered', () => {
  it("gives Date's day for any instant, whichever days came before (the same place of the cache too)", () => {
    const instant = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 4000 }).map((d) => d * 86_400_000 * 1024 + 5), fc.integer({ min: -3000, max: 3000 }).map((d) => d * 86_400_000 - 1));
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (list) => {
        for (const ms of [...list, ...list]) expect(isoDay(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
      }),
      { numRuns: 500 },
    );
    expect(() => isoDay(NaN)).toThrow(RangeError);
  });
});
