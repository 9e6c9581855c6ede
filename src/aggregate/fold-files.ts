/**
 * Every activities file of a run folded into one set of aggregates, in order, on one thread or (uncompressed
 * UTF-8 CSV, `threads` > 1) in byte ranges on several: the first step of `classify` and `history`.
 */
import type { InputRef } from '../input/bytes.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import { openTable, type ReadOptions } from '../input/table.js';
import { foldActivities, type FoldOptions, type FoldStats } from './fold.js';
import { rowsAdded } from './key-overlap.js';
import { foldActivitiesInRanges, DEFAULT_MIN_RANGE_BYTES, type Alongside, type RangedFold } from './ranges.js';

export interface FoldFilesOptions {
  read: ReadOptions;
  fold: FoldOptions;
  threads?: number;
  /** The smallest byte range given to a thread (tests make it small to cut small files). */
  minRangeBytes?: number;
  /** The reference a path is opened with (progress counts its bytes). */
  ref?: (ref: InputRef) => InputRef;
  /** After each file folded with threads: how it was cut. */
  onRanges?: (file: string, r: RangedFold) => void;
  /** After each file with a header. */
  onFile?: (stats: FoldStats) => void;
  /**
   * Work for this thread while the other threads fold the rest of the last file (classify scans the contacts'
   * keys meanwhile): started once this thread's own range is read, awaited before the ranges are merged; what it
   * gives, or throws, is the caller's to take. Its `bytes` make this thread's range smaller, so that both end
   * with the other ranges.
   */
  alongside?: Alongside;
}

export interface FoldedFiles {
  stats: FoldStats[];
  /** Per file: its activity rows per key, to tell whether its keys meet the contacts' (key-overlap.ts). */
  addedRows: Uint32Array[];
}

export async function foldFiles(files: readonly InputRef[], opts: FoldFilesOptions): Promise<FoldedFiles> {
  const { aggs } = opts.fold;
  const stats: FoldStats[] = [];
  const addedRows: Uint32Array[] = [];
  for (const ref of files) {
    const table = await openTable(opts.ref ? opts.ref(ref) : ref, opts.read);
    if (table.headers.length === 0) {
      // A file without even a header: said once, and counted as no rows.
      opts.fold.warn(`${table.file}: empty file, no activities read`);
      stats.push({ file: table.file, rows: 0, noKey: 0, undated: 0, afterAsOf: 0, noType: 0 });
      addedRows.push(new Uint32Array(0));
      continue;
    }
    const rowsBefore = aggs.rows.slice(0, aggs.size);
    if ((opts.threads ?? 1) > 1) {
      const alongside = ref === files[files.length - 1] ? opts.alongside : undefined;
      const r = await foldActivitiesInRanges(ref.path, table, { ...opts.fold, threads: opts.threads!, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES, maxRecordSize: DEFAULT_MAX_RECORD_SIZE, alongside });
      opts.onRanges?.(table.file, r);
      stats.push(r.stats);
    } else stats.push(await foldActivities(table, opts.fold));
    addedRows.push(rowsAdded(rowsBefore, aggs));
    opts.onFile?.(stats[stats.length - 1]!);
  }
  return { stats, addedRows };
}

/** A file whose every activity row lacks a key: the rules name the wrong column. */
export function noKeyWarning(s: FoldStats): string | undefined {
  return s.rows && s.noKey === s.rows ? `${s.file}: no activity row has a key; check activities.key in the rules` : undefined;
}
