/**
 * `funnel history` (SPEC §7): the activity log replayed for every contact, with the rules evaluated at each
 * event and at each period end, summed into balance, entered and overdue per period and stage, conversion by
 * cohort and velocity. Reads like `classify` (one fold of the activities with each event's compact record,
 * then the contacts), writes nothing but what it returns; the CLI renders it.
 */
import { fieldColumn, type Rules } from '../rules/model.js';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { findColumn } from '../values/headers.js';
import { forEachRecord, openTable, type ReadOptions } from '../input/table.js';
import { parseAsOf } from '../values/dates.js';
import { planActivities, type ActivityPlan } from '../aggregate/plan.js';
import { periodsOf, type Every, type Period } from '../aggregate/periods.js';
import { Aggregates } from '../aggregate/store.js';
import type { FoldStats } from '../aggregate/fold.js';
import { foldFiles, noKeyWarning } from '../aggregate/fold-files.js';
import type { ContactKeys } from '../aggregate/contact-keys.js';
import type { ScanOptions } from '../input/contacts.js';
import { ContactScan, sizeOf } from './contact-scan.js';
import { PhaseMeter } from '../util/progress.js';
import { copyToScratch, releaseScratch } from '../util/scratch.js';
import { Classifier } from '../classify/classifier.js';
import { Replayer } from '../classify/timeline.js';
import { createdColumn } from '../classify/stage-dates.js';
import { DEFAULT_MIN_CONTACT_RANGE_BYTES, scanCuts } from '../output/annotated-ranges.js';
import { HistoryRows } from './history-rows.js';
import { historyInRanges, type HistoryCuts } from './history-ranges.js';
import { HistoryBuilder, type History } from '../output/history.js';
import { formatProblem, type LoadedRules } from './rules-source.js';
import type { RunSetup } from './run-setup.js';
import { checkFieldColumns } from './field-columns.js';
import { VERSION } from '../util/version.js';

/** The rules and the as-of come resolved (run-setup.ts). */
export interface HistoryOptions extends RunSetup {
  contacts: string[];
  activities: string[];
  every: Every;
  since?: string;
  /** A contact field to break the funnel down by (SPEC §10). */
  by?: string;
  cwd: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
  threads?: number;
  minRangeBytes?: number;
}

export interface HistoryIO {
  stdin?: Readable;
  warn(message: string): void;
  note(message: string): void;
  progress?(message: string): void;
}

export async function history(opts: HistoryOptions, io: HistoryIO): Promise<History> {
  if (opts.contacts.length === 0) throw new UsageError('no contacts file given', {}, 'funnel history contacts.csv -a activities.csv');
  if ([...opts.contacts, ...opts.activities].filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  const loaded = opts.rules;
  const { rules } = loaded;
  io.note(`rules: ${loaded.source}`);
  for (const w of loaded.warnings) io.warn(formatProblem(w));
  const tz = rules.activities.timezone;
  const { asOf } = opts;
  const periods = periodsOf(asOf, opts.every, tz, opts.since === undefined ? undefined : parseAsOf(opts.since, tz));
  const read: ReadOptions = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, noHeader: opts.noHeader, warn: io.warn };

  const plan = planActivities(rules, asOf);
  const aggs = new Aggregates(plan.counters.length, true);
  // The contacts' first pass, begun alongside the fold when threads fold the activities (as classify's).
  const copies: string[] = [];
  const copyStdin = async (): Promise<string> => {
    const path = await copyToScratch(io.stdin, 'stdin');
    copies.push(path);
    return path;
  };
  const contacts = new ContactScan({ contacts: opts.contacts, cwd: opts.cwd, copyStdin, read, rules, aggs, meter: new PhaseMeter(undefined), sizeOf, cutsOf: contactCutsOf(opts) });
  try {
    const foldStats = await foldStep(opts, io, { read, rules, plan, aggs }, contacts);
    const keys = await contacts.result();
    return await replayContacts(opts, io, { rules: loaded, asOf, periods, read, plan, aggs, foldStats, keys });
  } finally {
    for (const p of copies) releaseScratch(p);
  }
}

/** The activities folded (the contacts scanned meanwhile, when threads fold them), and what they tell. */
async function foldStep(opts: HistoryOptions, io: HistoryIO, f: { read: ReadOptions; rules: Rules; plan: ActivityPlan; aggs: Aggregates }, contacts: ContactScan): Promise<FoldStats[]> {
  const onProgress = io.progress && ((n: number) => io.progress!(`${n.toLocaleString('en-US')} activity rows`));
  const { stats } = await foldFiles(opts.activities.map((p) => inputRef(p, opts.cwd)), {
    read: f.read,
    fold: { rules: f.rules, plan: f.plan, aggs: f.aggs, warn: io.warn, onProgress },
    threads: opts.threads,
    minRangeBytes: opts.minRangeBytes,
    onRanges: (file, r) => {
      if (r.ranges > 1) io.note(`${file}: folded in ${r.ranges} ranges on as many threads`);
    },
    alongside: { run: contacts.alongside, bytes: sizeOf(opts.contacts.map((p) => inputRef(p, opts.cwd).path)) },
  });
  for (const s of stats) {
    if (s.undated) io.warn(`${s.file}: ${s.undated} activity row(s) with an unparsable date count for no moment of the history`);
    const noKey = noKeyWarning(s);
    if (noKey) io.warn(noKey);
  }
  return stats;
}

/** Where the scan finds the cuts the replay's threads will make, when it runs on threads (history-ranges.ts). */
function contactCutsOf(opts: HistoryOptions): ScanOptions['cutsOf'] {
  const o = replayRanges(opts);
  return o && scanCuts(o);
}

/** How the contacts are cut for the replay on threads (one file on several threads), or undefined. */
function replayRanges(opts: HistoryOptions): HistoryCuts | undefined {
  if (opts.contacts.length !== 1 || (opts.threads ?? 1) < 2) return undefined;
  return { threads: opts.threads!, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_CONTACT_RANGE_BYTES };
}

interface Prepared {
  rules: LoadedRules;
  asOf: number;
  periods: Period[];
  read: ReadOptions;
  plan: ActivityPlan;
  aggs: Aggregates;
  foldStats: FoldStats[];
  keys: ContactKeys;
}

/** The --by field's column in a contacts file's header. */
function byColumn(field: string, rules: Rules, headers: readonly string[], file: string): number {
  const m = findColumn(headers, fieldColumn(rules, field));
  if (m.index === -1) throw new InputError(`no column '${field}' for --by`, { file, line: 1 }, `name one of: ${headers.slice(0, 12).join(', ')}`);
  return m.index;
}

async function replayContacts(opts: HistoryOptions, io: HistoryIO, prep: Prepared): Promise<History> {
  const { asOf, periods, read, aggs, foldStats } = prep;
  const loaded = prep.rules;
  const { rules } = loaded;
  const tz = rules.activities.timezone;
  const ranged = replayRanges(opts);
  const { scan, dateOrder, slots } = prep.keys;
  const events = aggs.events!.byContact(aggs.size);
  // Period ends before the as-of are moments of the replay; the last period ends at the as-of itself.
  const ends = Float64Array.from(periods.slice(0, -1).map((p) => p.end));
  const builder = new HistoryBuilder(rules.stages, periods, opts.by !== undefined);
  const files = scan.files.map((f) => f.ref.name);
  let byColumnName: string | undefined;
  // Rows in the order of the first pass, whose slots they take again (as classify's second pass does).
  let first = 0;
  for (const f of scan.files) {
    const headers = [...f.headers];
    const classifier = new Classifier(rules, { headers, asOf, plan: prep.plan, aggs, dateOrder, warn: io.warn });
    checkFieldColumns(classifier.missing, files, headers, loaded.source === 'built-in', io.warn);
    const created = createdColumn(rules, headers, f.ref.name);
    const by = opts.by === undefined ? -1 : byColumn(opts.by, rules, headers, f.ref.name);
    if (by >= 0) byColumnName = headers[by];
    const replayer = new Replayer(classifier, rules, prep.plan, events, asOf, ends);
    const rows = new HistoryRows({ rules, classifier, replayer, builder, aggs, headers, keyColumn: f.keyColumn, created, by, dateOrder, hints: slots && { slots, first } });
    const table = await openTable(f.ref, { ...read, headers: f.headers });
    if (ranged && f.format === 'csv') {
      const job = { rules, asOf, dateOrder, periods, ends, headers, keyColumn: f.keyColumn, created, by, aggs: aggs.share(), events };
      const r = await historyInRanges(f, table, rows, builder, job, { ...ranged, slots });
      if (r.ranges > 1) io.note(`${table.file}: replayed in ${r.ranges} ranges on as many threads`);
      if (r.whole) io.note(`${table.file}: replayed on one thread: ${r.whole}`);
    } else await forEachRecord(table, rows.visit);
    first += f.rows;
  }
  const hl = (s: (typeof rules.stages)[number]): number | null => (s.sla ? Math.round((s.sla.withinMs / 86_400_000) * 1000) / 1000 : null);
  return builder.build(
    {
      tool: { name: 'funnel', version: VERSION },
      kind: 'history',
      as_of: new Date(asOf).toISOString(),
      every: opts.every,
      since: new Date(periods[0]!.start).toISOString(),
      timezone: tz,
      rules: { source: loaded.source, sha256: loaded.sha256 },
      periods: periods.map((p) => ({ id: p.id, start: new Date(p.start).toISOString(), end: new Date(p.end).toISOString() })),
      stages: [...rules.stages.map((s) => ({ id: s.id, label: s.label, sla_days: hl(s) })), { id: 'disqualified', label: 'disqualified', sla_days: null }],
      undated_events: foldStats.reduce((a, s) => a + s.undated, 0),
      inputs: {
        contacts: scan.files.map((f) => ({ file: f.ref.name, rows: f.rows })),
        activities: foldStats.map((s) => ({ file: s.file, rows: s.rows, undated: s.undated, after_as_of: s.afterAsOf })),
      },
    },
    opts.by === undefined ? undefined : (byColumnName ?? opts.by),
  );
}
