/**
 * `history`'s second pass over one contacts file on `--threads` threads, as classify's (output/annotated-ranges.ts):
 * the file cut into byte ranges at the cuts the first pass found, this thread replaying the first while worker
 * threads (history-range-worker.ts) replay the others over the aggregates and events in shared memory; their counts
 * added in file order — the very history of one thread. Whatever a range cannot be trusted with, this thread
 * replays on past its range instead (aggregate/ranged-pass.ts).
 */
import type { ContactFileScan } from '../input/contacts.js';
import { rangedPass, type RangedPass, type RangeRun } from '../aggregate/ranged-pass.js';
import { forEachRecord, type Table } from '../input/table.js';
import { contactRanges, type ContactRange } from '../output/annotated-ranges.js';
import type { HistoryBuilder } from '../output/history.js';
import { rangeThread } from '../util/range-thread.js';
import type { FromHistoryRange, HistoryRangeInput } from './history-range-worker.js';
import type { HistoryRows } from './history-rows.js';

const WORKER = new URL('./history-range-worker.js', import.meta.url);

type Done = Extract<FromHistoryRange, { type: 'done' }>;

/** What a range's thread needs besides its place in the file. */
export type HistoryRangeJob = Omit<HistoryRangeInput, keyof ContactRange>;

/** How the file is cut: as the scan cut it (or would have, when it read no offsets). */
export interface HistoryCuts {
  threads: number;
  minRangeBytes: number;
}

/** The file's rows replayed on its ranges' threads and this one, or on this one when it is not cut. */
export async function historyInRanges(fs: ContactFileScan, table: Table, rows: HistoryRows, builder: HistoryBuilder, job: HistoryRangeJob, o: HistoryCuts & { slots?: Int32Array }): Promise<RangedPass> {
  const plan = contactRanges(fs, table, o, 'read');
  if ('whole' in plan) {
    await forEachRecord(table, rows.visit);
    return { ranges: 1, whole: plan.whole };
  }
  const runs = plan.ranges.map((range): RangeRun<Done> => {
    const input: HistoryRangeInput = { ...job, ...range };
    const { worker, result } = rangeThread<Done>(WORKER, input, () => {});
    return { result, stop: async () => void (await worker.terminate()) };
  });
  return rangedPass(table, rows.visit, {
    starts: plan.ranges.map((r) => r.start),
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
