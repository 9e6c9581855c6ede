/**
 * `funnel whatif before.yaml after.yaml`: the same export classified under two rule sets, from one pass over the
 * activities that folds what both read (plan-union.ts), then both classifications per contact — the movement
 * matrix, each stage's count before and after, who changes contactability or action, and the moved contacts.
 */
import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { forEachRecord, openTable, type ReadOptions } from '../input/table.js';
import { scanContacts, type ContactScan } from '../input/contacts.js';
import { parseAsOf, isoTime, type DateOrder } from '../values/dates.js';
import { planUnion, type UnionPlan } from '../aggregate/plan-union.js';
import { Aggregates } from '../aggregate/store.js';
import { foldActivities, type FoldStats } from '../aggregate/fold.js';
import { foldActivitiesInRanges, DEFAULT_MIN_RANGE_BYTES } from '../aggregate/ranges.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import type { Classifier } from '../classify/classifier.js';
import { OutputRun, libraryEnv, type Output, type OutputEnv } from '../output/commit.js';
import { copyStdin } from '../output/stdin-copy.js';
import { readableTwice } from '../input/read-twice.js';
import { RowSlots, runDateOrder } from '../aggregate/contact-keys.js';
import { DEFAULT_MIN_CONTACT_RANGE_BYTES, scanCuts } from '../output/annotated-ranges.js';
import { rowFormat, type RowFormatOptions } from '../output/rows.js';
import { ByteSink } from '../output/byte-sink.js';
import { unionHeader } from '../output/annotation.js';
import { dateColumnsOf } from '../rules/walk.js';
import { hasSla, stageDateColumns } from '../classify/stage-dates.js';
import type { Rules } from '../rules/model.js';
import type { ContactEvents } from '../aggregate/events.js';
import { makeSides, tallyOf, WhatifRows, type Side, type Tally } from './whatif-rows.js';
import { whatifInRanges, whatifThreadsAhead, type WhatifRangesContext } from './whatif-ranges.js';
import type { WhatifResult } from '../classify/whatif-result.js';
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
  // One file of contacts on threads: its threads started now, their start then overlaps the fold.
  const single = opts.contacts.length === 1 && opts.contacts[0] !== '-' ? inputRef(opts.contacts[0]!, opts.cwd).path : undefined;
  const warm = single === undefined ? undefined : whatifThreadsAhead(fileSize(single), opts.threads ?? 1, opts.minRangeBytes);
  try {
    return await compare(opts, io, run, movedOut, lb, la, warm);
  } finally {
    run.abort();
    await warm?.close();
  }
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** The contacts' first pass (keys, header union, slash-date order), as classify makes it. */
async function scanBoth(opts: WhatifOptions, io: WhatifIO, run: OutputRun, before: Rules, after: Rules, aggs: Aggregates, read: ReadOptions): Promise<{ scan: ContactScan; dateOrder?: DateOrder; slots: Int32Array }> {
  const refs = await readableTwice(opts.contacts, opts.cwd, () => copyStdin(io.stdin, run));
  const slots = new RowSlots();
  // Where the second pass will cut the file for its threads, as classify's scan finds them (its rows' slots then serve).
  const threads = { threads: opts.threads ?? 1, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_CONTACT_RANGE_BYTES };
  const cutsOf = opts.contacts.length === 1 && threads.threads > 1 ? scanCuts(threads) : undefined;
  const scan = await scanContacts(refs, {
    cutsOf,
    read,
    keyName: after.contacts.key,
    normalize: after.contacts.normalize,
    dateColumns: [...new Set([...dateColumnsOf(before), ...dateColumnsOf(after), ...[before, after].flatMap((r) => (r.contacts.created ? [r.contacts.created] : []))])],
    onKey: (row, col) => {
      const slot = aggs.slotOf(row, col, after.contacts.normalize, true);
      if (slot >= 0) aggs.contactRows[slot]!++;
      slots.push(slot);
    },
  });
  return { scan, dateOrder: runDateOrder(after, scan), slots: slots.array() };
}

function sidesOf(lb: LoadedRules, la: LoadedRules, plan: UnionPlan, aggs: Aggregates, scan: ContactScan, header: string[], dateOrder: DateOrder | undefined, asOf: number, io: WhatifIO): { sides: [Side, Side]; events?: ContactEvents } {
  const names = scan.files.map((f) => f.ref.name);
  const events = hasSla(lb.rules) || hasSla(la.rules) ? aggs.events!.byContact(aggs.size) : undefined;
  const loaded = [lb, la];
  // A column the rules name that the contacts lack is an error, as in classify — for either rule set.
  const check = (c: Classifier, r: number): void => checkFieldColumns(c.missing, names, header, loaded[r]!.source === 'built-in', io.warn);
  return { sides: makeSides(lb.rules, la.rules, { plan, aggs, header, dateOrder, asOf, events, files: names.join(', '), warn: io.warn, check }), events };
}

/** The CSV of --moved: the contacts' columns, classify's under the after rules, then the before stage and reason. */
function movedFormat(opts: WhatifOptions, after: Rules, header: string[], scan: ContactScan): RowFormatOptions & { format: 'csv' } {
  const added = [...FUNNEL_COLUMNS, ...(hasSla(after) ? stageDateColumns(after) : []), 'stage_before', 'reason_before'];
  const columns = [...header, ...added.map((c) => `${opts.prefix}${c}`)];
  const clashing = columns.slice(header.length).filter((c) => header.includes(c));
  if (opts.moved !== undefined && clashing.length) throw new UsageError(`the contacts already have a column ${clashing[0]}`, {}, 'is this an annotated file? use the original export, or choose another --prefix');
  return { format: 'csv', columns, delimiter: scan.files.find((f) => f.format === 'csv')?.delimiter ?? ',' };
}

/**
 * The second pass: each contact row classified under both rule sets, tallied, and written out when it moves — one
 * CSV file of contacts on `--threads` threads (whatif-ranges.ts).
 */
async function classifyRows(scan: ContactScan, mappings: number[][], rows: WhatifRows, read: ReadOptions, io: WhatifIO, ranges: WhatifRangesContext): Promise<void> {
  const moved = ranges.moved;
  const between = async (): Promise<void> => {
    if (moved?.sink.full) await moved.sink.flush();
  };
  for (let f = 0; f < scan.files.length; f++) {
    const fs = scan.files[f]!;
    const table = await openTable(fs.ref, { ...read, headers: fs.headers });
    rows.startFile(fs, mappings[f]!);
    if (scan.files.length === 1 && ranges.threads > 1 && fs.format === 'csv') {
      const r = await whatifInRanges(fs, mappings[f]!, table, rows, between, ranges);
      if (r.ranges > 1) io.note(`${table.file}: classified in ${r.ranges} ranges on as many threads`);
      if (r.whole) io.note(`${table.file}: classified on one thread: ${r.whole}`);
    } else await forEachRecord(table, rows.visit, between);
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

async function compare(opts: WhatifOptions, io: WhatifIO, run: OutputRun, movedOut: Output | undefined, lb: LoadedRules, la: LoadedRules, warm: WhatifRangesContext['warm']): Promise<WhatifResult> {
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

  const { scan, dateOrder, slots } = await scanBoth(opts, io, run, before, after, aggs, read);
  const { header, mappings } = unionHeader(scan.files);
  const { sides, events } = sidesOf(lb, la, plan, aggs, scan, header, dateOrder, asOf, io);
  const tally = tallyOf(before, after);
  const movedRows = movedFormat(opts, after, header, scan);
  const format = rowFormat(movedRows);
  const moved = movedOut && { sink: new ByteSink((chunk) => movedOut.write(chunk), movedOut.doneWithChunks === true), format };
  moved?.sink.text(format.header());
  const rows = new WhatifRows({ sides, header, aggs, dateOrder, asOf, tally, moved, hints: { slots, first: 0 } });
  const ranges = { threads: opts.threads ?? 1, minRangeBytes: opts.minRangeBytes, slots, before, after, asOf, dateOrder, header, events, aggs, tally, moved: moved && { sink: moved.sink, format: movedRows }, warm };
  await classifyRows(scan, mappings, rows, read, io, ranges);
  await run.commit();
  return resultOf(tally, lb, la, asOf, opts.moved);
}
