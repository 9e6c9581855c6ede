/**
 * `funnel whatif before.yaml after.yaml`: the same export classified under two rule sets, from one pass over the
 * activities that folds what both read (plan-union.ts), then both classifications per contact — the movement
 * matrix, each stage's count before and after, who changes contactability or action, and the moved contacts.
 */
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { forEachRecord, openTable, type ReadOptions, type Rec } from '../input/table.js';
import { scanContacts, type ContactScan } from '../input/contacts.js';
import { parseAsOf, isoTime, type DateOrder } from '../values/dates.js';
import { planUnion, type UnionPlan } from '../aggregate/plan-union.js';
import { Aggregates, BLANK_KEY } from '../aggregate/store.js';
import { foldActivities, type FoldStats } from '../aggregate/fold.js';
import { foldActivitiesInRanges, DEFAULT_MIN_RANGE_BYTES } from '../aggregate/ranges.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import { Classifier, DISQUALIFIED, type Verdict } from '../classify/classifier.js';
import { OutputRun, libraryEnv, type Output, type OutputEnv } from '../output/commit.js';
import { copyStdin } from '../output/stdin-copy.js';
import { readableTwice } from '../input/read-twice.js';
import { runDateOrder } from '../aggregate/contact-keys.js';
import { rowFormat, type RowFormat } from '../output/rows.js';
import { ByteSink } from '../output/byte-sink.js';
import { funnelValues, unionHeader } from '../output/annotation.js';
import { dateColumnsOf } from '../rules/walk.js';
import { StageDates, createdAt, createdColumn, hasSla, stageDateColumns } from '../classify/stage-dates.js';
import type { Rules } from '../rules/model.js';
import type { StageChange, WhatifResult } from '../classify/whatif-result.js';
import { duplicateKey, EMPTY_KEY } from '../classify/reasons.js';
import { FUNNEL_COLUMNS } from '../output/annotation.js';
import { loadRules, formatProblem, type LoadedRules } from './rules-source.js';
import { checkFieldColumns } from './field-columns.js';

export interface WhatifOptions {
  before: string;
  after: string;
  contacts: string[];
  activities: string[];
  asOf?: string;
  /** The contacts whose stage changes: a path, or `-` for `io.stdout`. */
  moved?: string;
  prefix: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
  cwd: string;
  threads?: number;
  minRangeBytes?: number;
  parser?: 'fast' | 'csv-parse';
}

export interface WhatifIO {
  stdin?: Readable;
  stdout: Writable;
  warn(message: string): void;
  note(message: string): void;
  progress?(message: string): void;
  now?: () => number;
  /** The process as the writers need it (pid, locks, --wait); the CLI's, or libraryEnv(cwd). */
  outputs?: OutputEnv;
}

/** The activities sections must agree: the activities are read once, by one reading of their columns and dates. */
export function activitiesDifference(a: Rules, b: Rules): string[] {
  const out: string[] = [];
  const cmp = (what: string, x: string | undefined, y: string | undefined): void => {
    if ((x ?? '') !== (y ?? '')) out.push(`${what} is ${x === undefined ? 'not set' : `'${x}'`} before and ${y === undefined ? 'not set' : `'${y}'`} after`);
  };
  cmp('activities.key', a.activities.key, b.activities.key);
  cmp('activities.type', a.activities.type, b.activities.type);
  cmp('activities.time', a.activities.time, b.activities.time);
  cmp('activities.date_order', a.activities.dateOrder, b.activities.dateOrder);
  cmp('activities.timezone', a.activities.timezone, b.activities.timezone);
  // The join of contacts and activities too: one aggregate per key serves both.
  cmp('contacts.key', a.contacts.key, b.contacts.key);
  cmp('contacts.normalize', a.contacts.normalize, b.contacts.normalize);
  return out;
}

/** Stage ids in funnel order: before's, with each stage only after has placed after the stage it follows there. */
function stageOrder(before: Rules, after: Rules): string[] {
  const order = before.stages.map((s) => s.id);
  let at = -1;
  for (const s of after.stages) {
    const i = order.indexOf(s.id);
    if (i !== -1) at = i;
    else order.splice(++at, 0, s.id);
  }
  return [...order, DISQUALIFIED];
}

function loadBoth(opts: WhatifOptions, io: WhatifIO): [LoadedRules, LoadedRules] {
  const both = [opts.before, opts.after].map((p) => loadRules(p, opts.cwd)) as [LoadedRules, LoadedRules];
  for (const l of both) for (const w of l.warnings) io.warn(formatProblem(w));
  const diff = activitiesDifference(both[0].rules, both[1].rules);
  if (diff.length) {
    throw new UsageError(`the rules differ in how activities are read: ${diff.join('; ')}`, {}, 'whatif folds the activities once: make activities key, type, time, date_order, timezone and contacts key, normalize the same in both (signals, types, points and the rest may differ)');
  }
  return both;
}

async function fold(opts: WhatifOptions, rules: Rules, plan: ReturnType<typeof planUnion>, aggs: Aggregates, read: ReadOptions, io: WhatifIO): Promise<FoldStats[]> {
  const stats: FoldStats[] = [];
  for (const path of opts.activities) {
    const ref = inputRef(path, opts.cwd);
    const onProgress = io.progress && ((n: number) => io.progress!(`${ref.name}: ${n.toLocaleString('en-US')} activity rows`));
    const table = await openTable(ref, read);
    if (table.headers.length === 0) {
      io.warn(`${table.file}: empty file, no activities read`);
      continue;
    }
    const f = { rules, plan, aggs, warn: io.warn, onProgress };
    if ((opts.threads ?? 1) > 1) {
      const r = await foldActivitiesInRanges(ref.path, table, { ...f, threads: opts.threads!, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES, maxRecordSize: DEFAULT_MAX_RECORD_SIZE });
      if (r.ranges > 1) io.note(`${table.file}: folded in ${r.ranges} ranges on as many threads`);
      if (r.whole) io.note(`${table.file}: folded on one thread: ${r.whole}`);
      stats.push(r.stats);
    } else stats.push(await foldActivities(table, f));
  }
  for (const s of stats) if (s.undated) io.warn(`${s.file}: ${s.undated} activity row(s) with an unparsable date count only for conditions without a time window`);
  return stats;
}

/** Tallies of the two classifications. */
class Tally {
  readonly matrix: Record<string, Record<string, number>> = {};
  readonly before = new Map<string, number>();
  readonly after = new Map<string, number>();
  readonly actions = new Map<string, { before: string; after: string; contacts: number }>();
  contacts = 0;
  changed = 0;
  gained = 0;
  lost = 0;
  actionChanged = 0;

  constructor(readonly order: string[], beforeIds: string[], afterIds: string[]) {
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

  stages(): StageChange[] {
    return this.order.map((id) => {
      const before = this.before.get(id) ?? 0;
      const after = this.after.get(id) ?? 0;
      return { id, before, after, change: after - before };
    });
  }
}

export async function whatif(opts: WhatifOptions, io: WhatifIO): Promise<WhatifResult> {
  if (opts.contacts.length === 0) throw new UsageError('no contacts file given', {}, 'funnel whatif before.yaml after.yaml contacts.csv -a activities.csv');
  if ([...opts.contacts, ...opts.activities].filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  const [lb, la] = loadBoth(opts, io);
  // --moved is checked (never an input, writable, not locked) before the exports are read.
  const run = new OutputRun({ ...(io.outputs ?? libraryEnv(opts.cwd)), stdout: io.stdout, warn: io.warn });
  for (const p of [...opts.contacts, ...opts.activities]) run.input(p);
  for (const l of [lb, la]) run.input(l.path, 'the rules file');
  const movedOut = opts.moved === undefined ? undefined : run.file(opts.moved, '--moved');
  await run.open();
  try {
    return await compare(opts, io, run, movedOut, lb, la);
  } finally {
    run.abort();
  }
}

/** The contacts' first pass (keys, header union, slash-date order), as classify makes it. */
async function scanBoth(opts: WhatifOptions, io: WhatifIO, run: OutputRun, before: Rules, after: Rules, aggs: Aggregates, read: ReadOptions): Promise<{ scan: ContactScan; dateOrder?: DateOrder }> {
  const refs = await readableTwice(opts.contacts, opts.cwd, () => copyStdin(io.stdin, run));
  const scan = await scanContacts(refs, {
    read,
    keyName: after.contacts.key,
    normalize: after.contacts.normalize,
    dateColumns: [...new Set([...dateColumnsOf(before), ...dateColumnsOf(after), ...[before, after].flatMap((r) => (r.contacts.created ? [r.contacts.created] : []))])],
    onKey: (row, col) => {
      const slot = aggs.slotOf(row, col, after.contacts.normalize, true);
      if (slot >= 0) aggs.contactRows[slot]!++;
    },
  });
  return { scan, dateOrder: runDateOrder(after, scan) };
}

/** One rule set as classify runs it: its classifier on its view of the union plan, and the replay when it has an sla. */
interface Side {
  rules: Rules;
  classifier: Classifier;
  dates?: StageDates;
  created: number;
}

interface Sides {
  sides: [Side, Side];
  /** The contact columns either rule set reads. */
  columns: number[];
  /** One rule set's verdict for a row, with its funnel_stage_since and stage-date cells (empty without the replay). */
  verdict(side: Side, values: string[], slot: number, warnings: string[]): { v: Verdict; since: string; added: string[] };
}

function sidesOf(lb: LoadedRules, la: LoadedRules, plan: UnionPlan, aggs: Aggregates, scan: ContactScan, header: string[], dateOrder: DateOrder | undefined, asOf: number, io: WhatifIO): Sides {
  const env = { headers: header, asOf, aggs, dateOrder, warn: io.warn };
  const names = scan.files.map((f) => f.ref.name);
  const events = hasSla(lb.rules) || hasSla(la.rules) ? aggs.events!.byContact(aggs.size) : undefined;
  const sides = [lb, la].map((l, r): Side => {
    const classifier = new Classifier(l.rules, { ...env, plan: plan.views[r]!, score: r });
    // A column the rules name that the contacts lack is an error, as in classify — for either rule set.
    checkFieldColumns(classifier.missing, names, header, l.source === 'built-in', io.warn);
    const replay = hasSla(l.rules);
    return { rules: l.rules, classifier, dates: replay ? new StageDates(l.rules, classifier, plan.views[r]!, events!, asOf) : undefined, created: replay ? createdColumn(l.rules, header, names.join(', ')) : -1 };
  }) as [Side, Side];
  const columns = [...new Set(sides.flatMap((x) => [...x.classifier.columns, ...(x.created >= 0 ? [x.created] : [])]))];
  const asOfText = isoTime(asOf);
  const verdict: Sides['verdict'] = (side, values, slot, warnings) => {
    if (!side.dates) return { v: side.classifier.classify(values, slot, warnings), since: asOfText, added: [] };
    const tl = side.dates.replay(values, slot, createdAt(values, side.created, side.rules.contacts.created, side.rules.activities.timezone, dateOrder, warnings));
    const v = side.classifier.classify(values, slot, warnings, tl.floor, side.dates.keptBy(tl));
    const cells = side.dates.cells(v, tl, undefined);
    return { v, since: cells.since, added: cells.added };
  };
  return { sides, columns, verdict };
}

/** The CSV of --moved: the contacts' columns, classify's under the after rules, then the before stage and reason. */
function movedFormat(opts: WhatifOptions, after: Rules, header: string[], scan: ContactScan): RowFormat {
  const added = [...FUNNEL_COLUMNS, ...(hasSla(after) ? stageDateColumns(after) : []), 'stage_before', 'reason_before'];
  const columns = [...header, ...added.map((c) => `${opts.prefix}${c}`)];
  const clashing = columns.slice(header.length).filter((c) => header.includes(c));
  if (opts.moved !== undefined && clashing.length) throw new UsageError(`the contacts already have a column ${clashing[0]}`, {}, 'is this an annotated file? use the original export, or choose another --prefix');
  return rowFormat({ format: 'csv', columns, delimiter: scan.files.find((f) => f.format === 'csv')?.delimiter ?? ',' });
}

/** The second pass: each contact row classified under both rule sets, tallied, and written out when it moves. */
async function classifyRows(scan: ContactScan, mappings: number[][], header: string[], both: Sides, aggs: Aggregates, normalize: Rules['contacts']['normalize'], read: ReadOptions, tally: Tally, moved?: { sink: ByteSink; format: RowFormat }): Promise<void> {
  const [sb, sa] = both.sides;
  const scratch = new Array<string>(header.length).fill('');
  for (let f = 0; f < scan.files.length; f++) {
    const fs = scan.files[f]!;
    const map = mappings[f]!;
    const table = await openTable(fs.ref, { ...read, headers: fs.headers });
    const identity = map.length === header.length && map.every((m, i) => m === i);
    const visit = (row: Rec): void => {
      // Only the columns the rules read, unless the row is written out.
      const values = scratch;
      if (identity) for (const i of both.columns) values[i] = row.field(i);
      else {
        values.fill('');
        for (let i = 0; i < Math.max(row.width, fs.headers.length); i++) values[map[i]!] = row.field(i);
      }
      const warnings: string[] = [];
      if (row.width !== fs.headers.length && fs.format === 'csv') warnings.push(`ragged row: ${row.width} fields, header has ${fs.headers.length}`);
      let slot = aggs.slotOf(row, fs.keyColumn, normalize, false);
      if (slot === BLANK_KEY) {
        slot = -1;
        warnings.push(EMPTY_KEY);
      } else if (aggs.contactRows[slot]! > 1) warnings.push(duplicateKey(aggs.contactRows[slot]!));
      const { v: vb } = both.verdict(sb, values, slot, [...warnings]);
      const { v: va, since, added } = both.verdict(sa, values, slot, warnings);
      tally.add(vb, va);
      if (moved && vb.stage !== va.stage) {
        const out = new Array<string>(header.length);
        for (let i = 0; i < header.length; i++) out[i] = identity ? row.field(i) : values[i]!;
        moved.sink.text(moved.format.row([...out, ...funnelValues(va, since), ...added, vb.stage, vb.reason]));
      }
    };
    await forEachRecord(table, visit, async () => {
      if (moved?.sink.full) await moved.sink.flush();
    });
  }
  if (moved) await moved.sink.flush();
}

function resultOf(tally: Tally, lb: LoadedRules, la: LoadedRules, asOf: number, moved: string | undefined): WhatifResult {
  const actions = [...tally.actions.values()].sort((x, y) => y.contacts - x.contacts || x.before.localeCompare(y.before) || x.after.localeCompare(y.after));
  return {
    before: { rules: lb.source, sha256: lb.sha256 },
    after: { rules: la.source, sha256: la.sha256 },
    as_of: isoTime(asOf),
    contacts: tally.contacts,
    stages: tally.stages(),
    matrix: tally.matrix,
    changed: tally.changed,
    unchanged: tally.contacts - tally.changed,
    contactable: { gained: tally.gained, lost: tally.lost },
    action_changed: tally.actionChanged,
    actions,
    moved_file: moved,
  };
}

async function compare(opts: WhatifOptions, io: WhatifIO, run: OutputRun, movedOut: Output | undefined, lb: LoadedRules, la: LoadedRules): Promise<WhatifResult> {
  io.note(`rules: ${lb.source} → ${la.source}`);
  const before = lb.rules;
  const after = la.rules;
  const asOf = opts.asOf !== undefined ? parseAsOf(opts.asOf, after.activities.timezone) : (io.now ?? Date.now)();
  const read: ReadOptions = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, noHeader: opts.noHeader, warn: io.warn, parser: opts.parser };
  const plan = planUnion([before, after], asOf);
  // A rule set with an sla is classified as classify does it: through the replay of stage dates (SPEC §7).
  const replays = [hasSla(before), hasSla(after)];
  if (replays.some(Boolean)) io.note(`${replays.every(Boolean) ? 'both rule sets have' : `the ${replays[0] ? 'before' : 'after'} rules have`} an sla: stage dates are replayed from the activities, as classify does`);
  const aggs = new Aggregates(plan.counters.length, replays.some(Boolean), plan.scores.length);
  await fold(opts, after, plan, aggs, read, io);

  const { scan, dateOrder } = await scanBoth(opts, io, run, before, after, aggs, read);
  const { header, mappings } = unionHeader(scan.files);
  const both = sidesOf(lb, la, plan, aggs, scan, header, dateOrder, asOf, io);
  const tally = new Tally(stageOrder(before, after), [...before.stages.map((s) => s.id), DISQUALIFIED], [...after.stages.map((s) => s.id), DISQUALIFIED]);
  const format = movedFormat(opts, after, header, scan);
  const moved = movedOut && { sink: new ByteSink((chunk) => movedOut.write(chunk)), format };
  moved?.sink.text(format.header());
  await classifyRows(scan, mappings, header, both, aggs, after.contacts.normalize, read, tally, moved);
  await run.commit();
  return resultOf(tally, lb, la, asOf, opts.moved);
}
