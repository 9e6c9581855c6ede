/**
 * `funnel history` as data (SPEC §7, the JSON contract in the README): per period and stage the balance,
 * entered and overdue; per consecutive pair of stages the conversion by entry cohort and the velocity. Built
 * from each contact's replay, a few numbers per contact; rendering is in history-render.ts.
 */
import { periodIndex, type Period } from '../aggregate/periods.js';
import { SegmentBuckets } from '../aggregate/segments.js';
import type { Stage } from '../rules/model.js';
import { NOT_ENTERED, type ContactTimeline } from '../classify/timeline.js';
import { DISQUALIFIED } from '../classify/classifier.js';

const DAY = 86_400_000;

export interface HistoryRow {
  period: string;
  stage: string;
  balance: number;
  entered: number;
  overdue: number;
}

export interface Conversion {
  from: string;
  to: string;
  cohorts: { period: string; entered: number; reached: number; share: number | null }[];
}

export interface Velocity {
  from: string;
  to: string;
  contacts: number;
  median_days: number | null;
  p90_days: number | null;
}

export interface HistorySegment {
  segment: string;
  contacts: number;
  rows: HistoryRow[];
  conversion: Conversion[];
  velocity: Velocity[];
}

export interface History {
  tool: { name: 'funnel'; version: string };
  kind: 'history';
  as_of: string;
  every: string;
  since: string;
  timezone: string;
  rules: { source: string; sha256: string };
  periods: { id: string; start: string; end: string }[];
  stages: { id: string; label: string; sla_days: number | null }[];
  rows: HistoryRow[];
  conversion: Conversion[];
  velocity: Velocity[];
  /** Contact rows read (each row is one contact of the funnel, as in classify). */
  contacts: number;
  /** Contacts with neither a creation date nor a dated event: they enter at the as-of (the last period only). */
  contacts_without_dates: number;
  /** Contacts whose first trace is after the as-of: not in the funnel yet. */
  contacts_after_as_of: number;
  /** Activity rows whose date could not be read: they count for no moment. */
  undated_events: number;
  inputs: { contacts: { file: string; rows: number }[]; activities: { file: string; rows: number; undated: number; after_as_of: number }[] };
  by?: string;
  segments?: HistorySegment[];
}

/** The counts of one segment (or of all contacts), as data: what a thread's range sends back. */
export type CountsData = Pick<Counts, 'contacts' | 'withoutDates' | 'later' | 'balance' | 'entered' | 'overdue' | 'cohortIn' | 'cohortOut' | 'days'>;

/** A builder's counts as data, for `HistoryBuilder.adopt` on the main thread. */
export interface HistoryData {
  all: CountsData;
  segments?: { key: string; label: string; size: number; data: CountsData }[];
}

/** The counts of one segment (or of all contacts). */
class Counts {
  contacts = 0;
  withoutDates = 0;
  later = 0;
  /** Per period × (stages + disqualified). */
  readonly balance: Int32Array;
  readonly entered: Int32Array;
  readonly overdue: Int32Array;
  /** Per pair of consecutive stages × period: reached A then, and of those reached B. */
  readonly cohortIn: Int32Array;
  readonly cohortOut: Int32Array;
  /** Per pair: days from A to B. */
  readonly days: number[][];

  constructor(periods: number, stages: number) {
    const cells = periods * (stages + 1);
    this.balance = new Int32Array(cells);
    this.entered = new Int32Array(cells);
    this.overdue = new Int32Array(cells);
    this.cohortIn = new Int32Array(Math.max(0, stages - 1) * periods);
    this.cohortOut = new Int32Array(Math.max(0, stages - 1) * periods);
    this.days = Array.from({ length: Math.max(0, stages - 1) }, () => []);
  }

  merge(o: CountsData): void {
    this.contacts += o.contacts;
    this.withoutDates += o.withoutDates;
    this.later += o.later;
    for (const k of ['balance', 'entered', 'overdue', 'cohortIn', 'cohortOut'] as const) {
      const a = this[k];
      const b = o[k];
      for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
    }
    // One by one: a thread's range may hold hundreds of thousands (too many for push's arguments).
    o.days.forEach((d, k) => {
      const into = this.days[k]!;
      for (const x of d) into.push(x);
    });
  }
}

/** Nearest-rank percentile of sorted values: the value at rank ⌈p·n⌉. */
export function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const oneDecimal = (x: number): number => Math.round(x * 10) / 10;

export class HistoryBuilder {
  private readonly all: Counts;
  private readonly segments?: SegmentBuckets<Counts>;
  private readonly S: number;
  private readonly periodOf: (m: number) => number;

  constructor(
    private readonly stages: readonly Stage[],
    private readonly periods: readonly Period[],
    by: boolean,
  ) {
    this.S = stages.length;
    this.all = new Counts(periods.length, this.S);
    if (by) this.segments = new SegmentBuckets(() => new Counts(periods.length, this.S));
    this.periodOf = (m) => periodIndex(periods, m);
  }

  /** The counts as data (a thread's range, for `adopt`). */
  data(): HistoryData {
    return { all: this.all, ...(this.segments ? { segments: this.segments.entries() } : {}) };
  }

  /** The counts of a thread's range, after this builder's own rows. */
  adopt(d: HistoryData): void {
    this.all.merge(d.all);
    if (this.segments && d.segments) this.segments.adopt(d.segments as { key: string; label: string; size: number; data: Counts }[], (into, from) => into.merge(from));
  }

  /** One contact's replay; `segment` its --by value. */
  add(tl: ContactTimeline, segment?: string): void {
    this.addTo(this.all, tl);
    if (this.segments) this.addTo(this.segments.bucket(segment), tl);
  }

  private addTo(c: Counts, tl: ContactTimeline): void {
    c.contacts++;
    if (tl.how === 'later') {
      c.later++;
      return;
    }
    if (tl.how === 'as-of') c.withoutDates++;
    const S = this.S;
    const W = S + 1;
    const P = this.periods.length;
    const cell = (p: number, code: number): number => p * W + (code < 0 ? S : code);
    const overdue = (code: number, since: number, at: number): boolean => {
      const sla = code >= 0 ? this.stages[code]!.sla : undefined;
      return sla !== undefined && !Number.isNaN(since) && at - since > sla.withinMs;
    };
    for (let p = 0; p < P - 1; p++) {
      const code = tl.atEnd[p]!;
      if (code === NOT_ENTERED) continue;
      c.balance[cell(p, code)]!++;
      if (overdue(code, tl.sinceAtEnd[p]!, this.periods[p]!.end)) c.overdue[cell(p, code)]!++;
    }
    c.balance[cell(P - 1, tl.last)]!++;
    if (overdue(tl.last, tl.since, this.periods[P - 1]!.end)) c.overdue[cell(P - 1, tl.last)]!++;
    for (let s = 0; s < S; s++) {
      const p = this.periodOf(tl.became[s]!);
      if (p >= 0) c.entered[p * W + s]!++;
    }
    let lastP = -1;
    for (const m of tl.disqualifiedAt) {
      const p = this.periodOf(m);
      // Once per period, however often the contact went in and out.
      if (p >= 0 && p !== lastP) c.entered[p * W + S]!++;
      lastP = p;
    }
    for (let k = 0; k < S - 1; k++) {
      const a = tl.became[k]!;
      const p = this.periodOf(a);
      if (p < 0) continue;
      c.cohortIn[k * P + p]!++;
      const b = tl.became[k + 1]!;
      if (Number.isNaN(b)) continue;
      c.cohortOut[k * P + p]!++;
      c.days[k]!.push((b - a) / DAY);
    }
  }

  private section(c: Counts): Pick<HistorySegment, 'rows' | 'conversion' | 'velocity'> {
    const S = this.S;
    const P = this.periods.length;
    const ids = [...this.stages.map((s) => s.id), DISQUALIFIED];
    const rows: HistoryRow[] = [];
    for (let p = 0; p < P; p++) {
      for (let s = 0; s <= S; s++) {
        const i = p * (S + 1) + s;
        rows.push({ period: this.periods[p]!.id, stage: ids[s]!, balance: c.balance[i]!, entered: c.entered[i]!, overdue: c.overdue[i]! });
      }
    }
    const conversion: Conversion[] = [];
    const velocity: Velocity[] = [];
    for (let k = 0; k < S - 1; k++) {
      const cohorts = this.periods.map((per, p) => {
        const entered = c.cohortIn[k * P + p]!;
        const reached = c.cohortOut[k * P + p]!;
        return { period: per.id, entered, reached, share: entered === 0 ? null : Math.round((reached / entered) * 1000) / 1000 };
      });
      conversion.push({ from: ids[k]!, to: ids[k + 1]!, cohorts });
      const d = c.days[k]!.sort((x, y) => x - y);
      velocity.push({ from: ids[k]!, to: ids[k + 1]!, contacts: d.length, median_days: d.length ? oneDecimal(nearestRank(d, 0.5)) : null, p90_days: d.length ? oneDecimal(nearestRank(d, 0.9)) : null });
    }
    return { rows, conversion, velocity };
  }

  build(head: Omit<History, 'rows' | 'conversion' | 'velocity' | 'contacts' | 'contacts_without_dates' | 'contacts_after_as_of' | 'segments' | 'by'>, by?: string): History {
    const out: History = {
      ...head,
      ...this.section(this.all),
      contacts: this.all.contacts,
      contacts_without_dates: this.all.withoutDates,
      contacts_after_as_of: this.all.later,
    };
    if (this.segments && by !== undefined) {
      out.by = by;
      out.segments = this.segments.collapse((into, from) => into.merge(from)).map((s) => ({ segment: s.segment, contacts: s.data.contacts, ...this.section(s.data) }));
    }
    return out;
  }
}
