/**
 * `funnel classify`: fold the activities, scan the contacts once for keys, then stream every contact
 * through the classifier to the writers, and return the summary. No process, TTY or environment here:
 * streams and warnings are injected by the CLI. The steps live in the core; this is their order.
 */
import type { Readable, Writable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { forEachRecord, openTable, type ReadOptions } from '../input/table.js';
import { reportLongRecords } from '../input/long-records.js';
import { isoTime } from '../values/dates.js';
import { planActivities, type ActivityPlan } from '../aggregate/plan.js';
import { Aggregates } from '../aggregate/store.js';
import { foldFiles, noKeyWarning, type FoldedFiles } from '../aggregate/fold-files.js';
import type { ContactKeys } from '../aggregate/contact-keys.js';
import { checkOverlap, keyOverlap, type KeyOverlap } from '../aggregate/key-overlap.js';
import { Classifier, DISQUALIFIED } from '../classify/classifier.js';
import { StageDates, createdColumn, hasSla, stageDateColumns } from '../classify/stage-dates.js';
import { OutputRun, libraryEnv, type OutputEnv } from '../output/commit.js';
import { OutputPlan, checkOutputs } from '../output/output-plan.js';
import { copyStdin } from '../output/stdin-copy.js';
import { renderSummaryJson } from '../output/summary-json.js';
import { rowFormat, type OutputFormat } from '../output/rows.js';
import { SummaryBuilder, type Summary } from '../output/summary.js';
import { SegmentedSummary } from '../output/summary-segments.js';
import { FUNNEL_COLUMNS, PREVIOUS_COLUMNS, annotatedHeader } from '../output/annotation.js';
import { AnnotatedSinks } from '../output/annotated-sinks.js';
import { AnnotatedRows } from '../output/annotated-rows.js';
import { classifyThreadsAhead, DEFAULT_MIN_CONTACT_RANGE_BYTES, scanCuts, writeInRanges } from '../output/annotated-ranges.js';
import { rangeCount } from '../aggregate/ranges.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import { WarningList } from '../output/warning-list.js';
import { byColumn } from './by-column.js';
import { readPrevious } from './previous.js';
import { formatProblem, type LoadedRules } from './rules-source.js';
import type { RunSetup } from './run-setup.js';
import { checkFieldColumns } from './field-columns.js';
import { ContactScan, sizeOf, type ContactScanInputs } from './contact-scan.js';
import { VERSION } from '../util/version.js';
import { PhaseMeter, type ProgressSink } from '../util/progress.js';
import { PhaseClock } from '../util/phases.js';

export { FUNNEL_COLUMNS, PREVIOUS_COLUMNS } from '../output/annotation.js';

/** The rules and the as-of come resolved (run-setup.ts). */
export interface ClassifyOptions extends RunSetup {
  contacts: string[];
  activities: string[];
  output?: string;
  outDir?: string;
  format: OutputFormat;
  previous?: string;
  /** The summary as JSON, written with the other outputs (`-` is left to the caller: standard output). */
  summaryFile?: string;
  /**
   * More outputs made from the summary (`--report`), planned, checked and committed with the others: `content`
   * is called once the summary is known. `-` writes to standard output.
   */
  alsoWrite?: readonly { path: string; role: string; content: (summary: Summary) => Promise<string | Buffer> }[];
  strict: boolean;
  prefix: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
  /** Title lines before the CSV header (`--skip-lines`). */
  skipLines?: number;
  bom?: boolean;
  cwd: string;
  /** The CSV reader: the fast tokenizer (default) or csv-parse alone, the reference it is tested against. */
  parser?: 'fast' | 'csv-parse';
  /**
   * Threads in all for folding an activities file (uncompressed UTF-8 CSV): above 1, its byte ranges after the
   * first are folded on worker threads and merged. The same results whatever the number.
   */
  threads?: number;
  /** The smallest byte range given to a thread (tests make it small to cut small files). */
  minRangeBytes?: number;
  /** Replay the activity log for stage dates, peak and SLA (SPEC §7); implied by rules with an `sla`. */
  stageDates?: boolean;
  /** The CSV output's delimiter (`-o x.tsv`); default: the input's. */
  outputDelimiter?: string;
  /** Gzip the `-o` file (`-o x.csv.gz`). */
  gzip?: boolean;
  /** CSV lines end with CRLF. */
  crlf?: boolean;
  /** `--by`: a friendly name or column whose values break the summary down into segments. */
  by?: string;
}

export interface ClassifyIO {
  stdin?: Readable;
  /** Where `-o -` writes. */
  stdout: Writable;
  /** Warnings and notes, one line each, for stderr. */
  warn(message: string): void;
  note(message: string): void;
  progress?(message: string): void;
  /** Progress of each phase (bytes, rows), for the CLI's bars. */
  meter?: ProgressSink;
  /** Milliseconds now; injected so tests and --as-of runs are deterministic. */
  now?: () => number;
  /** Peak resident memory so far, in MB, when the caller can tell (for the phases of the summary). */
  peakRssMb?: () => number;
  /** The process as the writers need it (pid, locks, --wait); the CLI's, or libraryEnv(cwd). */
  outputs?: OutputEnv;
}

export interface ClassifyResult {
  summary: Summary;
  /** True when rows went to `io.stdout`. */
  rowsOnStdout: boolean;
}

/** What the steps of one run share. */
interface RunState {
  opts: ClassifyOptions;
  io: ClassifyIO;
  loaded: LoadedRules;
  asOf: number;
  read: ReadOptions;
  warn: (m: string) => void;
  meter: PhaseMeter;
  plan: ActivityPlan;
  aggs: Aggregates;
  /** Replay the activities for stage dates (`--stage-dates`, or rules with an sla). */
  replay: boolean;
  /** Threads for the contacts' ranges, started ahead. */
  warm?: ReturnType<typeof classifyThreadsAhead>;
}

export async function classify(opts: ClassifyOptions, io: ClassifyIO): Promise<ClassifyResult> {
  const now = io.now ?? Date.now;
  const clock = new PhaseClock(now, io.peakRssMb);
  if (opts.contacts.length === 0) throw new UsageError('no contacts file given', {}, 'funnel classify contacts.csv -a activities.csv');
  const stdinUses = [...opts.contacts, ...opts.activities, ...(opts.previous ? [opts.previous] : [])].filter((p) => p === '-').length;
  if (stdinUses > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  checkOutputs(opts);

  const loaded: LoadedRules = opts.rules;
  const { rules } = loaded;
  io.note(`rules: ${loaded.source}`);
  // Every warning also reaches the summary: cron runs with --quiet read it there.
  const fileWarnings = new WarningList();
  const warn = (m: string): void => {
    fileWarnings.add(m);
    io.warn(m);
  };
  for (const w of loaded.warnings) warn(formatProblem(w));
  const { asOf } = opts;

  // The outputs, checked (never an input, writable, not locked by another run) before any input is read.
  const run = new OutputRun({ ...(io.outputs ?? libraryEnv(opts.cwd)), stdout: io.stdout, warn: io.outputs?.warn ?? warn });
  for (const p of [...opts.contacts, ...opts.activities]) run.input(p);
  if (opts.previous !== undefined) run.input(opts.previous, 'the --previous file');
  run.input(loaded.path, 'the rules file');
  const outputs = new OutputPlan(run, opts, [...rules.stages.map((s) => s.id), DISQUALIFIED]);
  await run.open();

  const read: ReadOptions = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, noHeader: opts.noHeader, skipLines: opts.skipLines, warn, parser: opts.parser };
  let st: RunState | undefined;
  try {
    const plan = planActivities(rules, asOf);
    const replay = opts.stageDates === true || hasSla(rules);
    if (replay && opts.stageDates !== true) io.note('the rules have an sla: stage dates are replayed from the activities (as --stage-dates)');
    st = { opts, io, loaded, asOf, read, warn, meter: new PhaseMeter(io.meter), plan, aggs: new Aggregates(plan.counters.length, replay), replay, warm: threadsAhead(opts) };
    const contacts = new ContactScan({ contacts: opts.contacts, cwd: opts.cwd, copyStdin: () => copyStdin(io.stdin, run), read, rules, aggs: st.aggs, meter: st.meter, sizeOf, cutsOf: cutsOf(opts) });
    const folded = await foldStep(st, contacts);
    clock.phase('read activities');
    const { keys, overlaps } = await scanStep(st, contacts, folded);
    clock.phase('scan contacts');
    const { summary, segments, rows, files } = await writeStep(st, keys, outputs);
    clock.phase('classify and write');

    const { stats } = folded;
    const result: Summary = summary.build({
      tool: { name: 'funnel', version: VERSION },
      as_of: isoTime(asOf),
      rules: { source: loaded.source, sha256: loaded.sha256 },
      inputs: {
        contacts: keys.scan.files.map((f) => ({ file: f.ref.name, rows: f.rows })),
        activities: stats.map((s, i) => ({ file: s.file, rows: s.rows, without_key: s.noKey, without_type: s.noType, undated: s.undated, after_as_of: s.afterAsOf, unmatched: overlaps[i]!.unmatched })),
      },
      output: { rows, format: opts.format, files },
      unmatched_activity_rows: st.aggs.unmatchedRows() + stats.reduce((a, s) => a + s.noKey, 0),
      undated_activity_rows: stats.reduce((a, s) => a + s.undated, 0),
      warnings: fileWarnings.list(),
      duration_ms: clock.elapsed(),
      phases: clock.phases,
    });
    if (segments) Object.assign(result, { by: opts.by, segments: segments.build() });
    if (outputs.summary) await outputs.summary.write(renderSummaryJson(result));
    for (const x of outputs.extra) await x.out.write(await x.content(result));
    await run.commit();
    if (outputs.rowsOnStdout) await flush(io.stdout);
    return { summary: result, rowsOnStdout: outputs.rowsOnStdout };
  } finally {
    run.abort();
    await st?.warm?.close();
  }
}

/** 1. The activities, folded per key. */
async function foldStep(st: RunState, contacts: ContactScan): Promise<FoldedFiles> {
  const { opts, meter, warn } = st;
  const files = opts.activities.map((p) => inputRef(p, opts.cwd));
  meter.start('reading activities', sizeOf(files.map((f) => f.path)));
  // Once the contacts are scanned alongside, the bar is theirs: the fold's last rows are not shown.
  const onProgress = meter.active
    ? (n: number, own?: number): void => {
        if (!contacts.early) meter.rows(n, own);
      }
    : undefined;
  const folded = await foldFiles(files, {
    read: st.read,
    fold: { rules: st.loaded.rules, plan: st.plan, aggs: st.aggs, warn, onProgress },
    threads: opts.threads,
    minRangeBytes: opts.minRangeBytes,
    ref: (ref) => (meter.active ? { ...ref, onBytes: meter.bytes } : ref),
    onRanges: (file, r) => {
      if (r.ranges > 1) st.io.note(`${file}: folded in ${r.ranges} ranges on as many threads`);
      if (r.whole) st.io.note(`${file}: folded on one thread: ${r.whole}`);
    },
    onFile: (s) => meter.nextFile(s.rows),
    alongside: { run: contacts.alongside, bytes: sizeOf(opts.contacts.map((p) => inputRef(p, opts.cwd).path)) },
  });
  for (const s of folded.stats) {
    reportLongRecords(s.file, s.longRecords, opts.strict, warn);
    if (s.undated) warn(`${s.file}: ${s.undated} activity row(s) with an unparsable date count only for conditions without a time window`);
    const noKey = noKeyWarning(s);
    if (noKey) warn(noKey);
  }
  return folded;
}

/** 2. The contacts, first pass (begun alongside the fold, or now): keys, header union, date order; whether the activities' keys meet them. */
async function scanStep(st: RunState, contacts: ContactScan, folded: FoldedFiles): Promise<{ keys: ContactKeys; overlaps: KeyOverlap[] }> {
  const { opts } = st;
  const keys = await contacts.result();
  for (const f of keys.scan.files) reportLongRecords(f.ref.name, f.longRecords, opts.strict, st.warn);
  const contactKeys = [...new Set(keys.scan.files.map((f) => f.headers[f.keyColumn] ?? ''))].join("', '");
  const overlaps = folded.stats.map((s, i) => keyOverlap(s.file, folded.addedRows[i]!, st.aggs));
  overlaps.forEach((o, i) => checkOverlap(o, folded.stats[i]!.keyColumn ?? '', contactKeys, opts.strict, st.warn));
  return { keys, overlaps };
}

/** 3. The contacts, second pass: each classified and written. */
async function writeStep(st: RunState, keys: ContactKeys, outputs: OutputPlan): Promise<{ summary: SummaryBuilder; segments?: SegmentedSummary; rows: number; files: string[] }> {
  const { opts, loaded, meter } = st;
  const { rules } = loaded;
  const { scan, dateOrder } = keys;
  const files = scan.files.map((f) => f.ref.name).join(', ');
  const added = [...FUNNEL_COLUMNS, ...(opts.previous !== undefined ? PREVIOUS_COLUMNS : []), ...(st.replay ? stageDateColumns(rules) : [])].map((c) => `${opts.prefix}${c}`);
  const { header, mappings, columns } = annotatedHeader(scan.files, added);
  const delimiter = opts.outputDelimiter ?? scan.files.find((f) => f.format === 'csv')?.delimiter ?? ',';
  const numeric = new Set([`${opts.prefix}score`, `${opts.prefix}fit`]);
  const makeFormat = () => rowFormat({ format: opts.format, columns, delimiter, numeric, bom: opts.bom, crlf: opts.crlf });

  const classifier = new Classifier(rules, { headers: header, asOf: st.asOf, plan: st.plan, aggs: st.aggs, dateOrder, warn: st.warn });
  checkFieldColumns(classifier.missing, scan.files.map((f) => f.ref.name), header, loaded.source === 'built-in', st.warn);
  const by = opts.by === undefined ? undefined : { column: byColumn(opts.by, rules, header, files), segments: new SegmentedSummary(rules.stages) };
  const previous = opts.previous !== undefined ? await readPrevious(opts.previous, rules, opts.prefix, { cwd: opts.cwd, stdin: st.io.stdin, warn: st.warn }) : undefined;
  const created = st.replay ? createdColumn(rules, header, files) : -1;
  const events = st.replay ? st.aggs.events!.byContact(st.aggs.size) : undefined;
  const dates = events ? new StageDates(rules, classifier, st.plan, events, st.asOf) : undefined;

  const sinks = new AnnotatedSinks(outputs, makeFormat, opts.gzip);
  const summary = new SummaryBuilder(rules.stages);
  const rows = new AnnotatedRows({ rules, classifier, aggs: st.aggs, header, sinks, csv: opts.format === 'csv', delimiter, crlf: opts.crlf, strict: opts.strict, asOfText: isoTime(st.asOf), dateOrder, summary, by, previous, dates, created, hints: keys.slots && { slots: keys.slots, first: 0 } });
  meter.start('classifying and writing', sizeOf(scan.files.map((f) => f.ref.path)));
  const between = async (extra = 0): Promise<void> => {
    meter.setRows(rows.rows + extra);
    await sinks.flushFull();
  };
  const ranged = inRanges(opts);
  for (let f = 0; f < scan.files.length; f++) {
    const fs = scan.files[f]!;
    const table = await openTable(fs.ref, { ...st.read, headers: fs.headers });
    rows.startFile(fs, table.file, mappings[f]!);
    if (ranged && fs.format === 'csv') {
      const job = { rules, asOf: st.asOf, asOfText: isoTime(st.asOf), dateOrder, scan: fs, header: [...header], map: [...mappings[f]!], format: { format: opts.format as 'csv' | 'ndjson', columns, delimiter, numeric, crlf: opts.crlf }, crlf: opts.crlf, maxRecordSize: DEFAULT_MAX_RECORD_SIZE, events, created };
      const r = await writeInRanges(table, job, st.aggs, rows, sinks, summary, { ...contactRanges(opts), stageIds: outputs.byStage ? outputs.stageIds : undefined, between, warm: st.warm, slots: keys.slots });
      if (r.ranges > 1) st.io.note(`${table.file}: classified in ${r.ranges} ranges on as many threads`);
      if (r.whole) st.io.note(`${table.file}: classified on one thread: ${r.whole}`);
    } else await forEachRecord(table, rows.visit, between);
    if (rows.rows === 0 && fs.rows === 0) st.warn(`${table.file}: no contact rows`);
  }
  for (const w of rows.warnings(files)) st.warn(w);
  // A file that changed between the two passes must not produce output: check before anything is renamed.
  const firstPass = scan.files.reduce((a, f) => a + f.rows, 0);
  if (firstPass !== rows.rows) throw new InputError(`read ${firstPass} contact rows in the first pass but ${rows.rows} in the second`, { file: files }, 'was the file changed during the run?');
  await sinks.end();
  return { summary, segments: by?.segments, rows: rows.rows, files: outputs.files(sinks.wrote) };
}

/** One file of contacts, and nothing that needs its rows in order on one thread: its byte ranges on several threads. */
function inRanges(opts: ClassifyOptions): boolean {
  return opts.contacts.length === 1 && (opts.threads ?? 1) > 1 && opts.format !== 'json' && !opts.strict && opts.previous === undefined && opts.by === undefined;
}

/** Where the scan finds the cuts of the contacts file that the second pass will make (writeInRanges). */
function cutsOf(opts: ClassifyOptions): ContactScanInputs['cutsOf'] {
  return inRanges(opts) ? scanCuts(contactRanges(opts)) : undefined;
}

/** How the contacts are cut for the second pass: the scan (cutsOf), the threads ahead and the pass itself agree. */
function contactRanges(opts: ClassifyOptions): { threads: number; minRangeBytes: number } {
  return { threads: opts.threads!, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_CONTACT_RANGE_BYTES };
}

/** The threads the contacts' ranges will take, started now (their start then overlaps the fold). */
function threadsAhead(opts: ClassifyOptions): ReturnType<typeof classifyThreadsAhead> | undefined {
  if (!inRanges(opts) || opts.contacts[0] === '-') return undefined;
  const size = sizeOf([inputRef(opts.contacts[0]!, opts.cwd).path]);
  const { threads, minRangeBytes } = contactRanges(opts);
  const n = size === undefined ? 1 : rangeCount(size, threads, minRangeBytes);
  return n > 1 ? classifyThreadsAhead(n - 1) : undefined;
}

async function flush(stream: Writable): Promise<void> {
  if ((stream as { isTTY?: boolean }).isTTY || stream.writableLength === 0) return;
  await new Promise<void>((res) => stream.write('', () => res()));
}
