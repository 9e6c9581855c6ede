/**
 * `--threads`: an activities file cut into byte ranges at line breaks. The main thread folds the first range into
 * the aggregates as usual while worker threads (range-worker.ts) fold the others into aggregates of their own;
 * these are then merged in file order, which gives the very numbers and key order one thread gives.
 *
 * A cut is only trusted when the main thread, or the worker before it, finds a record starting exactly there — a
 * line break inside a quoted field is no record boundary. When a cut is not one, or a range cannot tell what the
 * rows before it decided (a slash date's order), or meets anything but plain CSV, the main thread simply goes on
 * past its range to the end of the file: slower, same results.
 */
import { openSync, readSync, closeSync, fstatSync, statSync } from 'node:fs';
import { forEachRecord, readUntil, type Table } from '../input/table.js';
import type { RangeEnd } from '../input/records.js';
import { startRangeThread, type ThreadFailed } from '../util/range-thread.js';
import { activityColumns } from './fold.js';
import { mergeLongRecords } from '../input/long-records.js';
import { createFolder, type FoldOptions, type FoldStats } from './folder.js';
import type { FromRange, RangeInput } from './range-worker.js';
import { buffersOf } from './store.js';
import { ByteTokenizer } from '../input/byte-tokenizer.js';
import type { ByteRecord } from '../input/record.js';

export interface RangeOptions {
  /** Threads in all, the main one included. */
  threads: number;
  /** A range is at least this many bytes: below, a thread costs more than it saves. */
  minRangeBytes: number;
  maxRecordSize: number;
  /** Run once this thread's range is read, while the others fold theirs (see FoldFilesOptions.alongside). */
  alongside?: Alongside;
}

/** Work for this thread while the other threads fold the rest of a file, and the bytes it reads. */
export interface Alongside {
  run: () => Promise<unknown>;
  /** Its input's size, when known: this thread's range is made smaller by as much work. */
  bytes?: number;
}

/**
 * A byte of contacts scanned costs about 1.2 bytes of activities folded (1M × 10 on this project's machine: the
 * scan 153 MB/s, the fold 180 MB/s on one thread).
 */
const SCAN_COST = 1.2;

/**
 * The first range's weight against each other range's, so that this thread's range and the work alongside end
 * when the others do: every thread gets an even share of the whole, this thread's less the work alongside.
 */
export function alongsideWeight(size: number, n: number, alongsideBytes: number | undefined): number {
  if (!alongsideBytes || n < 2) return 1;
  const side = alongsideBytes * SCAN_COST;
  const share = (size + side) / n;
  // More to do alongside than a share: this thread still folds a tenth of what each thread would.
  const first = Math.max(share - side, size / n / 10);
  return first / ((size - first) / (n - 1));
}

export const DEFAULT_MIN_RANGE_BYTES = 16 << 20;

const LF = 10;
const GZIP = [0x1f, 0x8b];

/** What the records of the file look like, to tell a line break between records from one inside a field. */
export interface RecordShape {
  delimiter: number;
  /** Fields in a record (the header's). */
  width: number;
}

/** Records read from a candidate cut before it is taken, and how far to look for a better one. */
const PROBE_RECORDS = 16;
const PROBE_BYTES = 1 << 16;
const SEARCH_BYTES = 1 << 20;

/**
 * Whether the bytes after a candidate cut read as records of the file's shape: a line break inside a quoted
 * field (notes of several lines) is soon followed by a record of another width or by a quote inside an
 * unquoted field. A guess only — the cut is still checked by the range before it.
 */
function looksLikeRecords(block: Buffer, shape: RecordShape, file: string): boolean {
  const tok = new ByteTokenizer({ file, delimiter: shape.delimiter, maxRecordSize: block.length + 1, bom: false });
  let seen = 0;
  let fits = true;
  try {
    tok.feed(block);
    const r = tok.run((rec) => {
      seen++;
      if (rec.width !== shape.width || (rec as ByteRecord).strayQuote) fits = false;
    }, PROBE_RECORDS);
    if (r === 'handover') return false;
  } catch {
    return false;
  }
  return fits && seen > 0;
}

/** How many ranges a file of `size` bytes is cut into: one per thread, each at least `minRangeBytes`. */
export function rangeCount(size: number, threads: number, minRangeBytes: number): number {
  return Math.max(1, Math.min(threads, Math.floor(size / Math.max(1, minRangeBytes))));
}

/**
 * Where the ranges after the first start: just after a line break at or after each cut of the file — even cuts,
 * the first range weighing `firstWeight` against 1 for each other —
 * the first one after which the bytes read as records of `shape`, within a megabyte, else the first one. Empty
 * when the file is not a regular file, is compressed or too small to share.
 */
export function rangeStarts(path: string, threads: number, minRangeBytes: number, shape?: RecordShape, firstWeight = 1): number[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    // Whatever stops a second look at the file, one thread reads it as it already does.
    return [];
  }
  try {
    const st = fstatSync(fd);
    // A pipe (`<(zcat …)`) has no offsets to cut at.
    if (!st.isFile()) return [];
    const size = st.size;
    const n = rangeCount(size, threads, minRangeBytes);
    if (n < 2) return [];
    const block = Buffer.alloc(1 << 16);
    if (readSync(fd, block, 0, 2, 0) === 2 && block[0] === GZIP[0] && block[1] === GZIP[1]) return [];
    /** The offset just after the first line break at or after `from`, -1 when there is none. */
    const nextLine = (from: number): number => {
      for (let at = from; at < size; ) {
        const got = readSync(fd, block, 0, block.length, at);
        if (got <= 0) return -1;
        const i = block.subarray(0, got).indexOf(LF);
        if (i !== -1) return at + i + 1;
        at += got;
      }
      return -1;
    };
    const probe = Buffer.alloc(PROBE_BYTES);
    const fitsAt = (at: number): boolean => {
      if (!shape) return true;
      const got = readSync(fd, probe, 0, probe.length, at);
      return looksLikeRecords(probe.subarray(0, got), shape, path);
    };
    const starts: number[] = [];
    for (let k = 1; k < n; k++) {
      // The first range weighs `firstWeight`, the others 1 each.
      const from = Math.max(Math.floor(((firstWeight + k - 1) * size) / (firstWeight + n - 1)), starts.at(-1) ?? 0);
      const first = nextLine(from);
      if (first === -1 || first >= size) break;
      let cut = first;
      while (!fitsAt(cut)) {
        const next = nextLine(cut);
        if (next === -1 || next >= size || next - first > SEARCH_BYTES) {
          cut = first;
          break;
        }
        cut = next;
      }
      if (cut > (starts.at(-1) ?? 0)) starts.push(cut);
    }
    return starts;
  } finally {
    closeSync(fd);
  }
}

type RangeDone = Extract<FromRange, { type: 'done' }>;

interface RangeRun {
  result: Promise<RangeDone | ThreadFailed>;
  stop(): Promise<void>;
}

function startRange(input: RangeInput, onProgress: (rows: number) => void): RangeRun {
  const { worker, result } = startRangeThread<RangeDone>(new URL('./range-worker.js', import.meta.url), input, onProgress);
  let got: RangeDone | ThreadFailed | undefined;
  void result.then((r) => (got = r));
  const stop = async (): Promise<void> => {
    // The aggregates came without a copy; sent back the same way, they are freed with the thread, now. Left to the
    // collector here, a hundred megabytes of them slowed the rest of the run by a fifth.
    if (got?.type === 'done') worker.postMessage(null, buffersOf(got.data));
    await worker.terminate();
  };
  return { result, stop };
}

function addStats(into: FoldStats, s: FoldStats): void {
  into.rows += s.rows;
  into.noKey += s.noKey;
  into.undated += s.undated;
  into.afterAsOf += s.afterAsOf;
  into.noType += s.noType;
  into.longRecords = mergeLongRecords(into.longRecords, s.longRecords);
}

/** Why the main thread's range cannot be taken as one of several (it did not end at the first cut), if it cannot. */
export function firstRangeProblem(ended: RangeEnd): string | undefined {
  // A record spans the first cut to the end, or csv-parse took over before it (text after a closing quote).
  if (ended === 'end') return 'a record that csv-parse reads, or a quoted field, runs across the first cut';
  if (ended === 'past') return 'a line break at a cut is inside a quoted field';
  return undefined;
}

/** Why the other threads' ranges cannot be taken (one failed, or did not end at the next cut), if they cannot. */
export function rangesProblem(results: readonly ({ type: 'done'; ended: RangeEnd } | { type: 'failed'; reason: string })[]): string | undefined {
  for (const [i, r] of results.entries()) {
    if (r.type === 'failed') return `range ${i + 2} cannot be read on its own (${r.reason})`;
    if (r.ended !== (i === results.length - 1 ? 'end' : 'exact')) return 'a line break at a cut is inside a quoted field';
  }
  return undefined;
}

export interface RangedFold {
  stats: FoldStats;
  /** Ranges folded and merged: 1 when the file was folded in one piece. */
  ranges: number;
  /** Why a file big enough to share was folded in one piece. */
  whole?: string;
}

/** This thread's range's weight (see alongsideWeight); 1 without work alongside, or when the file cannot be sized. */
function firstRangeWeight(path: string, opts: RangeOptions): number {
  if (!opts.alongside?.bytes) return 1;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return 1;
  }
  return alongsideWeight(size, rangeCount(size, opts.threads, opts.minRangeBytes), opts.alongside.bytes);
}

/** Folds the activities file at `path` (already opened as `table`) on up to `threads` threads. */
export async function foldActivitiesInRanges(path: string, opened: Table, opts: FoldOptions & RangeOptions): Promise<RangedFold> {
  // Choosing the key by its values reads a sample of rows: the table is then read on one thread.
  const { cols, table } = await activityColumns(opened, opts.rules, opts.warn);
  const keyColumn = table.headers[cols.key];
  const workerRows: number[] = [];
  // The rows of every thread, and this thread's own (progress estimates the other ranges' bytes from them).
  const onProgress = opts.onProgress && ((n: number) => opts.onProgress!(n + workerRows.reduce((a, b) => a + b, 0), n));
  const folder = createFolder(table.file, cols, { ...opts, onProgress });
  const shape = { delimiter: table.delimiter.charCodeAt(0), width: table.headers.length };
  const starts = path !== '-' && !opts.only ? rangeStarts(path, opts.threads, opts.minRangeBytes, shape, firstRangeWeight(path, opts)) : [];
  const whole = async (why?: string): Promise<RangedFold> => {
    await forEachRecord(table, folder.visit);
    folder.finish();
    return { stats: { ...folder.stats, keyColumn }, ranges: 1, whole: why };
  };
  if (starts.length === 0) return whole();
  if (!table.records.offsets) {
    // Only the byte tokenizer knows file offsets.
    const what = table.format !== 'csv' ? table.format.toUpperCase() : table.encoding !== 'utf-8' ? table.encoding : 'a CSV not read as bytes (csv-parse, or a delimiter beyond ASCII)';
    return whole(`${what} is read on one thread`);
  }

  const runs = starts.map((start, i) =>
    startRange(
      {
        path,
        file: table.file,
        start,
        stopAt: starts[i + 1] ?? Infinity,
        delimiter: table.delimiter.charCodeAt(0),
        maxRecordSize: opts.maxRecordSize,
        rules: opts.rules,
        asOf: opts.plan.asOf,
        cols,
        events: opts.aggs.events !== undefined,
        planRules: opts.plan.rulesets,
      },
      (rows) => (workerRows[i] = rows),
    ),
  );
  try {
    const ended = await readUntil(table, folder.visit, starts[0]!);
    const why = firstRangeProblem(ended) ?? (folder.pending() > 0 ? 'the order of its slash dates is not decided before the first cut' : undefined);
    if (why) return await whole(why);
    // Its failure is the caller's (it holds the promise): here it only has to be over.
    const along = opts.alongside?.run().catch(() => undefined);
    const results = await Promise.all(runs.map((r) => r.result));
    await along;
    const problem = rangesProblem(results);
    if (problem) return await whole(problem);
    const done = results.filter((r) => r.type === 'done');
    for (const r of done) {
      opts.aggs.merge(r.data);
      addStats(folder.stats, r.stats);
    }
    folder.finish();
    return { stats: { ...folder.stats, keyColumn }, ranges: results.length + 1 };
  } finally {
    // Awaited: a thread's heap is only given back once it has ended.
    await Promise.all(runs.map((r) => r.stop()));
  }
}
