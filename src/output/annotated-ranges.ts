/**
 * `--threads` for the second pass: the contacts file cut into byte ranges at record boundaries (as the activities
 * are, aggregate/ranges.ts). The main thread classifies and writes the first range as usual while worker threads
 * (annotated-range-worker.ts) classify the others into spool files, over the aggregates in shared memory; their
 * bytes are then appended in file order and their counts added, which gives the very bytes and summary one thread
 * gives. Whenever a range cannot be trusted — a cut inside a quoted field, a thread that fails — the main thread
 * simply goes on past its range to the end of the file: slower, same results.
 */
import { forEachRecord, type Table } from '../input/table.js';
import type { ContactFileScan, ScanOptions } from '../input/contacts.js';
import { rangeStarts } from '../aggregate/ranges.js';
import { rangedPass, type RangedPass, type RangeRun as PassRun } from '../aggregate/ranged-pass.js';
import type { Aggregates, SharedAggregates } from '../aggregate/store.js';
import { releaseScratch, scratchFile } from '../util/scratch.js';
import { readSpool } from './spool.js';
import { rangeThread, WarmThreads } from '../util/range-thread.js';
import type { AnnotatedRows, RowHints } from './annotated-rows.js';
import type { ByteRange } from '../input/byte-range.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import type { AnnotatedSinks } from './annotated-sinks.js';
import type { AnnotatedRangeInput, FromAnnotatedRange } from './annotated-range-worker.js';
import type { SummaryBuilder } from './summary.js';

/** What a range's thread needs besides its place in the file and the shared aggregates. */
export type RangeJob = Omit<AnnotatedRangeInput, 'path' | 'file' | 'start' | 'stopAt' | 'delimiter' | 'aggs' | 'spools' | 'scan'> & { scan: ContactFileScan };

export interface RangedWriteOptions {
  threads: number;
  minRangeBytes: number;
  /** Every stage a row may get, with `--out-dir` (one spool file each); undefined for one file of rows. */
  stageIds?: readonly string[];
  /** Awaited between chunks of input: flushes the sinks, shows progress (`extra`: rows written by other threads). */
  between: (extra: number) => Promise<void>;
  /** Threads started ahead, used before new ones. */
  warm?: WarmThreads<RangeDone>;
  /** The first pass's slot per contact row (ContactKeys.slots), for the threads to take again. */
  slots?: Int32Array;
}

export type RangedWrite = RangedPass;

type RangeDone = Extract<FromAnnotatedRange, { type: 'done' }>;

interface RangeRun extends PassRun<RangeDone> {
  input: AnnotatedRangeInput;
}

const WORKER = new URL('./annotated-range-worker.js', import.meta.url);

/**
 * The smallest range of contacts a thread classifies. Smaller than the fold's: a contact costs several times an
 * activity row, and the threads are started ahead (classifyThreadsAhead) while the activities are folded. Not
 * smaller: at 100k × 10 (10 MB of contacts) two ranges of 5 MB gave the wall time of one thread (0.62–0.67 s
 * against 0.68–0.69, a worker warming its code on so few rows) for 1.6 times the CPU.
 */
export const DEFAULT_MIN_CONTACT_RANGE_BYTES = 8 << 20;

/**
 * The main thread's range of contacts against another thread's: the main thread also writes the outputs, reports
 * progress and appends the others' spools afterwards — at 1M × 10 on two threads, even ranges left the worker
 * idle ~0.6 s before the main thread's ended (a profile of both, the machine loaded).
 */
export const MAIN_CONTACT_RANGE_WEIGHT = 0.92;

/** Threads for the contacts' ranges, started before the fold (classify.ts). */
export function classifyThreadsAhead(n: number): WarmThreads<RangeDone> {
  return new WarmThreads<RangeDone>(WORKER, n);
}

function startRange(input: AnnotatedRangeInput, onProgress: (rows: number) => void, warm: WarmThreads<RangeDone> | undefined): RangeRun {
  const { worker, result } = rangeThread<RangeDone>(WORKER, input, onProgress, warm);
  const stop = async (): Promise<void> => {
    await worker.terminate();
    releaseScratch(input.spools.all);
    for (const p of Object.values(input.spools.stages ?? {})) releaseScratch(p);
  };
  return { input, result, stop };
}

/** Where a contacts file is cut for the second pass on several threads: what the scan and this pass both use. */
export function contactCuts(path: string, table: Table, o: { threads: number; minRangeBytes: number }): number[] {
  return rangeStarts(path, o.threads, o.minRangeBytes, { delimiter: table.delimiter.charCodeAt(0), width: table.headers.length }, MAIN_CONTACT_RANGE_WEIGHT);
}

/** For the scan (ScanOptions.cutsOf): where a second pass on threads will cut a CSV file of contacts. */
export function scanCuts(o: { threads: number; minRangeBytes: number }): NonNullable<ScanOptions['cutsOf']> {
  return (ref, table) => (table.format === 'csv' ? contactCuts(ref.path, table, o) : []);
}

/** The first pass's slots per row, in memory the threads share. */
function sharedSlots(slots: Int32Array): Int32Array {
  const shared = new Int32Array(new SharedArrayBuffer(Math.max(4, slots.byteLength)));
  shared.set(slots);
  return shared;
}

/** A range of a contacts file for a thread of a second pass, with the first pass's slots when it has them. */
export interface ContactRange extends ByteRange {
  hints?: RowHints;
}

/**
 * The ranges after the first of one contacts file for a second pass on threads (classify's, whatif's, history's):
 * at the scan's cuts when it made them — it knows the index of the row at each, so the threads get its slots —
 * else cut now; or, as `whole`, why the file is read on one thread (undefined: it is too small to cut).
 * `read`: how the pass says what it does with the file ('read', 'written').
 */
export function contactRanges(fs: ContactFileScan, table: Table, o: { threads: number; minRangeBytes: number; slots?: Int32Array }, read: string): { ranges: ContactRange[] } | { whole: string | undefined } {
  const cuts = fs.cuts;
  const starts = cuts ? cuts.starts : contactCuts(fs.ref.path, table, o);
  if (starts.length === 0) return { whole: undefined };
  if (!table.records.offsets) return { whole: `${table.encoding !== 'utf-8' ? table.encoding : 'a CSV not read as bytes'} is ${read} on one thread` };
  const slots = cuts && o.slots ? sharedSlots(o.slots) : undefined;
  const ranges = starts.map((start, i): ContactRange => ({
    path: fs.ref.path,
    file: table.file,
    start,
    stopAt: starts[i + 1] ?? Infinity,
    delimiter: table.delimiter.charCodeAt(0),
    maxRecordSize: DEFAULT_MAX_RECORD_SIZE,
    ...(slots ? { hints: { slots, first: cuts!.firstRows[i]! } } : {}),
  }));
  return { ranges };
}

/** A spool file's bytes appended to a sink. */
function appendSpool(path: string, sinks: AnnotatedSinks, stage: string | undefined): Promise<void> {
  return readSpool(path, (bytes) => sinks.append(stage, bytes));
}

/** The threads' rows, in file order, after the main thread's: bytes appended, counts added. */
async function adoptRanges(runs: readonly RangeRun[], results: readonly RangeDone[], rows: AnnotatedRows, sinks: AnnotatedSinks, summary: SummaryBuilder): Promise<void> {
  for (const [i, r] of results.entries()) {
    const spools = runs[i]!.input.spools;
    await appendSpool(spools.all, sinks, undefined);
    for (const stage of r.stagesWritten) await appendSpool(spools.stages![stage]!, sinks, stage);
    summary.mergeCounts(r.summary);
    rows.adopt(r.rows, r.caseKeys);
  }
}

function rangeInputs(ranges: readonly ContactRange[], job: RangeJob, aggs: SharedAggregates, stageIds: readonly string[] | undefined): AnnotatedRangeInput[] {
  const { ref: _ref, ...scan } = job.scan;
  return ranges.map((range, i) => ({
    ...job,
    ...range,
    scan,
    aggs,
    spools: {
      all: scratchFile(`funnel-range-${i + 2}`),
      ...(stageIds ? { stages: Object.fromEntries(stageIds.map((s) => [s, scratchFile(`funnel-range-${i + 2}-${s}`)])) } : {}),
    },
  }));
}

/**
 * The rows of one contacts file (`table`, opened at `path`) classified and written on up to `threads` threads;
 * `rows` has been started on the file. The aggregates move to shared memory when the file is cut.
 */
export async function writeInRanges(table: Table, job: RangeJob, aggs: Aggregates, rows: AnnotatedRows, sinks: AnnotatedSinks, summary: SummaryBuilder, opts: RangedWriteOptions): Promise<RangedWrite> {
  const plan = contactRanges(job.scan, table, opts, 'written');
  if ('whole' in plan) {
    await forEachRecord(table, rows.visit, () => opts.between(0));
    return { ranges: 1, whole: plan.whole };
  }
  const others: number[] = [];
  const inputs = rangeInputs(plan.ranges, job, aggs.share(), opts.stageIds);
  const runs = inputs.map((input, i) => startRange(input, (n) => (others[i] = n), opts.warm));
  const extra = (): number => others.reduce((a, b) => a + b, 0);
  return rangedPass(table, rows.visit, {
    starts: plan.ranges.map((r) => r.start),
    runs,
    between: () => opts.between(extra()),
    adopt: async (done) => {
      await adoptRanges(runs, done, rows, sinks, summary);
      await opts.between(0);
    },
  });
}
