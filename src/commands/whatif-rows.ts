/**
 * whatif's second pass, per contact row: both rule sets' verdicts, tallied, and the row written out when its
 * stage moves — on the main thread, or on a thread of `--threads` for a range of the contacts
 * (whatif-range-worker.ts), whose tallies are added and whose moved rows are appended in file order.
 */
import type { ContactFileScan } from '../input/contacts.js';
import { hintAt, type RowHints } from '../output/annotated-rows.js';
import type { Rec } from '../input/table.js';
import type { DateOrder } from '../values/dates.js';
import { isoTime } from '../values/dates.js';
import type { Rules } from '../rules/model.js';
import type { UnionPlan } from '../aggregate/plan-union.js';
import { BLANK_KEY, type Aggregates } from '../aggregate/store.js';
import type { ContactEvents } from '../aggregate/events.js';
import { Classifier, DISQUALIFIED, type Verdict } from '../classify/classifier.js';
import { StageDates, createdAt, createdColumn, hasSla } from '../classify/stage-dates.js';
import type { StageChange } from '../classify/whatif-result.js';
import { duplicateKey, EMPTY_KEY } from '../classify/reasons.js';
import type { ByteSink } from '../output/byte-sink.js';
import { funnelValues } from '../output/annotation.js';
import type { RowFormat } from '../output/rows.js';

/** A Tally as numbers, to add one range's to another's across threads. */
export interface TallyData {
  matrix: Record<string, Record<string, number>>;
  before: [string, number][];
  after: [string, number][];
  actions: [string, { before: string; after: string; contacts: number }][];
  counts: [number, number, number, number, number];
}

/** Tallies of the two classifications. */
export class Tally {
  readonly matrix: Record<string, Record<string, number>> = {};
  readonly before = new Map<string, number>();
  readonly after = new Map<string, number>();
  readonly actions = new Map<string, { before: string; after: string; contacts: number }>();
  contacts = 0;
  changed = 0;
  gained = 0;
  lost = 0;
  actionChanged = 0;

  constructor(
    readonly order: string[],
    beforeIds: string[],
    afterIds: string[],
  ) {
    for (const b of beforeIds) this.matrix[b] = Object.fromEntries(afterIds.map((a) => [a, 0]));
  }

  add(b: Verdict, a: Verdict): void {
    this.contacts++;
    this.matrix[b.stage]![a.stage]!++;
    this.before.set(b.stage, (this.before.get(b.stage) ?? 0) + 1);
    this.after.set(a.stage, (this.after.get(a.stage) ?? 0) + 1);
    if (b.stage !== a.stage) this.changed++;
    if (!b.consent && a.consent) this.gained++;
    if (b.consent && !a.consent) this.lost++;
    if (b.action !== a.action) {
      this.actionChanged++;
      const k = `${b.action}\u0000${a.action}`;
      const e = this.actions.get(k) ?? { before: b.action, after: a.action, contacts: 0 };
      e.contacts++;
      this.actions.set(k, e);
    }
  }

  data(): TallyData {
    return { matrix: this.matrix, before: [...this.before], after: [...this.after], actions: [...this.actions], counts: [this.contacts, this.changed, this.gained, this.lost, this.actionChanged] };
  }

  /** Another range's tallies added, as if its rows had come after these (first-seen orders kept). */
  merge(d: TallyData): void {
    for (const [b, row] of Object.entries(d.matrix)) for (const [a, n] of Object.entries(row)) this.matrix[b]![a]! += n;
    for (const [k, n] of d.before) this.before.set(k, (this.before.get(k) ?? 0) + n);
    for (const [k, n] of d.after) this.after.set(k, (this.after.get(k) ?? 0) + n);
    for (const [k, e] of d.actions) {
      const mine = this.actions.get(k);
      if (mine) mine.contacts += e.contacts;
      else this.actions.set(k, { ...e });
    }
    const [contacts, changed, gained, lost, actionChanged] = d.counts;
    this.contacts += contacts;
    this.changed += changed;
    this.gained += gained;
    this.lost += lost;
    this.actionChanged += actionChanged;
  }

  stages(): StageChange[] {
    return this.order.map((id) => {
      const before = this.before.get(id) ?? 0;
      const after = this.after.get(id) ?? 0;
      return { id, before, after, change: after - before };
    });
  }
}

/** Stage ids in funnel order: before's, with each stage only after has placed after the stage it follows there. */
export function stageOrder(before: Rules, after: Rules): string[] {
  const order = before.stages.map((s) => s.id);
  let at = -1;
  for (const s of after.stages) {
    const i = order.indexOf(s.id);
    if (i !== -1) at = i;
    else order.splice(++at, 0, s.id);
  }
  return [...order, DISQUALIFIED];
}

/** The tallies of a run (or of a range of it): every stage of either rule set, in funnel order. */
export function tallyOf(before: Rules, after: Rules): Tally {
  return new Tally(stageOrder(before, after), [...before.stages.map((s) => s.id), DISQUALIFIED], [...after.stages.map((s) => s.id), DISQUALIFIED]);
}

/** One rule set as classify runs it: its classifier on its view of the union plan, and the replay when it has an sla. */
export interface Side {
  rules: Rules;
  classifier: Classifier;
  dates?: StageDates;
  created: number;
}

export interface SidesEnv {
  plan: UnionPlan;
  aggs: Aggregates;
  header: readonly string[];
  dateOrder?: DateOrder;
  asOf: number;
  /** The activities' events per contact, when a rule set has an sla. */
  events?: ContactEvents;
  /** The contact files' names, for the message of a missing `contacts.created` column. */
  files: string;
  warn: (m: string) => void;
  /** Each classifier, as it is made (the main thread checks that the contacts have the columns its rules name). */
  check?: (c: Classifier, side: number) => void;
}

/** Both rule sets' classifiers over the one fold. */
export function makeSides(before: Rules, after: Rules, env: SidesEnv): [Side, Side] {
  return [before, after].map((rules, r): Side => {
    const classifier = new Classifier(rules, { headers: env.header, asOf: env.asOf, aggs: env.aggs, dateOrder: env.dateOrder, warn: env.warn, plan: env.plan.views[r]!, score: r });
    env.check?.(classifier, r);
    const replay = hasSla(rules);
    return { rules, classifier, dates: replay ? new StageDates(rules, classifier, env.plan.views[r]!, env.events!, env.asOf) : undefined, created: replay ? createdColumn(rules, env.header, env.files) : -1 };
  }) as [Side, Side];
}

export interface WhatifRowsOptions {
  sides: [Side, Side];
  header: readonly string[];
  aggs: Aggregates;
  dateOrder?: DateOrder;
  asOf: number;
  tally: Tally;
  /** Where the moved rows go, and how they are written. */
  moved?: { sink: ByteSink; format: RowFormat };
  /** The first pass's slot per row (classify's AnnotatedRows takes them the same way). */
  hints?: RowHints;
}

export class WhatifRows {
  private readonly scratch: string[];
  /** Rows visited: the index of the next one in the first pass (after `hints.first`). */
  private rows = 0;
  private readonly columns: number[];
  private readonly asOfText: string;
  private file!: { scan: Pick<ContactFileScan, 'headers' | 'keyColumn' | 'format'>; map: readonly number[]; identity: boolean };

  constructor(private readonly o: WhatifRowsOptions) {
    this.scratch = new Array<string>(o.header.length).fill('');
    this.columns = [...new Set(o.sides.flatMap((x) => [...x.classifier.columns, ...(x.created >= 0 ? [x.created] : [])]))];
    this.asOfText = isoTime(o.asOf);
  }

  startFile(scan: Pick<ContactFileScan, 'headers' | 'keyColumn' | 'format'>, map: readonly number[]): void {
    this.file = { scan, map, identity: map.length === this.o.header.length && map.every((m, i) => m === i) };
  }

  visit = (row: Rec): void => {
    const { scan, map, identity } = this.file;
    const { sides, header, aggs, tally, moved } = this.o;
    // Only the columns the rules read, unless the row is written out.
    const values = this.scratch;
    if (identity) for (const i of this.columns) values[i] = row.field(i);
    else {
      values.fill('');
      for (let i = 0; i < Math.max(row.width, scan.headers.length); i++) values[map[i]!] = row.field(i);
    }
    const warnings: string[] = [];
    if (row.width !== scan.headers.length && scan.format === 'csv') warnings.push(`ragged row: ${row.width} fields, header has ${scan.headers.length}`);
    let slot = aggs.hintedSlot(row, scan.keyColumn, sides[1].rules.contacts.normalize, hintAt(this.o.hints, this.rows++));
    if (slot === BLANK_KEY) {
      slot = -1;
      warnings.push(EMPTY_KEY);
    } else if (aggs.contactRows[slot]! > 1) warnings.push(duplicateKey(aggs.contactRows[slot]!));
    const { v: vb } = this.verdict(sides[0], values, slot, [...warnings]);
    const { v: va, since, added } = this.verdict(sides[1], values, slot, warnings);
    tally.add(vb, va);
    if (moved && vb.stage !== va.stage) {
      const out = new Array<string>(header.length);
      for (let i = 0; i < header.length; i++) out[i] = identity ? row.field(i) : values[i]!;
      moved.sink.text(moved.format.row([...out, ...funnelValues(va, since), ...added, vb.stage, vb.reason]));
    }
  };

  /** One rule set's verdict for a row, with its funnel_stage_since and stage-date cells (empty without the replay). */
  private verdict(side: Side, values: string[], slot: number, warnings: string[]): { v: Verdict; since: string; added: string[] } {
    if (!side.dates) return { v: side.classifier.classify(values, slot, warnings), since: this.asOfText, added: [] };
    const tl = side.dates.replay(values, slot, createdAt(values, side.created, side.rules.contacts.created, side.rules.activities.timezone, this.o.dateOrder, warnings));
    const v = side.classifier.classify(values, slot, warnings, tl.floor, side.dates.keptBy(tl));
    const cells = side.dates.cells(v, tl, undefined);
    return { v, since: cells.since, added: cells.added };
  }
}
