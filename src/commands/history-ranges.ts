/**
 * `history`'s second pass over one contacts file on `--threads` threads, as classify's (output/annotated-ranges.ts):
 * the file cut into byte ranges at the cuts the first pass found, this thread replaying the first while worker
 * threads (history-range-worker.ts) replay the others over the aggregates and events in shared memory; their counts
 * added in file order — the very history of one thread. Whatever a range cannot be trusted with, this thread
 * replays on past its range instead (aggregate/ranged-pass.ts).
 */
import type { ContactFileScan } from '../input/contacts.js';
import type { Table } from '../input/table.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import { rangedPass, type RangedPass, type RangeRun } from '../aggregate/ranged-pass.js';
import { forEachRecord } from '../input/table.js';
import { contactCuts, sharedSlots } from '../output/annotated-ranges.js';
import type { HistoryBuilder } from '../output/history.js';
import { rangeThread } from '../util/range-thread.js';
import type { FromHistoryRange, HistoryRangeInput } from './history-range-worker.js';
import type { HistoryRows } from './history-rows.js';

const WORKER = new URL('./history-range-worker.js', import.meta.url);

type Done = Extract<FromHistoryRange, { type: 'done' }>;

/** What a range's thread needs besides its place in the file. */
export type HistoryRangeJob = Omit<HistoryRangeInput, 'path' | 'file' | 'start' | 'stopAt' | 'delimiter' | 'maxRecordSize' | 'hints'>;

/** How the file is cut: as the scan cut it (or would have, when it read no offsets). */
export interface HistoryCuts {
  threads: number;
  minRangeBytes: number;
}

/** The file's rows replayed on its ranges' threads and this one, or on this one when it is not cut. */
export async function historyInRanges(fs: ContactFileScan, table: Table, rows: HistoryRows, builder: HistoryBuilder, job: HistoryRangeJob, o: HistoryCuts & { slots?: Int32Array }): Promise<RangedPass> {
  // The scan's cuts when it made them: it knows the index of the row at each (its slots then serve the threads).
  const cuts = fs.cuts;
  const starts = cuts ? cuts.starts : contactCuts(fs.ref.path, table, o);
  const whole = async (why?: string): Promise<RangedPass> => {
    await forEachRecord(table, rows.visit);
    return { ranges: 1, whole: why };
  };
  if (starts.length === 0) return whole();
  if (!table.records.offsets) return whole(`${table.encoding !== 'utf-8' ? table.encoding : 'a CSV not read as bytes'} is read on one thread`);
  const shared = cuts && o.slots ? sharedSlots(o.slots) : undefined;
  const runs = starts.map((start, i): RangeRun<Done> => {
    const input: HistoryRangeInput = {
      ...job,
      path: fs.ref.path,
      file: table.file,
      start,
      stopAt: starts[i + 1] ?? Infinity,
      delimiter: table.delimiter.charCodeAt(0),
      maxRecordSize: DEFAULT_MAX_RECORD_SIZE,
      hints: shared && { slots: shared, first: cuts!.firstRows[i]! },
    };
    const { worker, result } = rangeThread<Done>(WORKER, input, () => {});
    return { result, stop: async () => void (await worker.terminate()) };
  });
  return rangedPass(table, rows.visit, {
    starts,
    runs,
    between: async () => {},
    adopt: async (done) => {
      for (const d of done) {
        builder.adopt(d.data);
        rows.rows += d.rows;
      }
    },
  });
}
