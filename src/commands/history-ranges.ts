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
import { sharedSlots } from '../output/annotated-ranges.js';
import type { HistoryBuilder } from '../output/history.js';
import { rangeThread } from '../util/range-thread.js';
import type { FromHistoryRange, HistoryRangeInput } from './history-range-worker.js';
import type { HistoryRows } from './history-rows.js';

const WORKER = new URL('./history-range-worker.js', import.meta.url);

type Done = Extract<FromHistoryRange, { type: 'done' }>;

/** What a range's thread needs besides its place in the file. */
export type HistoryRangeJob = Omit<HistoryRangeInput, 'path' | 'file' | 'start' | 'stopAt' | 'delimiter' | 'maxRecordSize' | 'hints'>;

/** The file's rows replayed on its ranges' threads and this one; one thread when the scan made no cuts. */
export async function historyInRanges(fs: ContactFileScan, table: Table, rows: HistoryRows, builder: HistoryBuilder, job: HistoryRangeJob, slots: Int32Array | undefined): Promise<RangedPass> {
  const cuts = fs.cuts;
  if (!cuts || !table.records.offsets) {
    await forEachRecord(table, rows.visit);
    return { ranges: 1 };
  }
  const shared = slots && sharedSlots(slots);
  const runs = cuts.starts.map((start, i): RangeRun<Done> => {
    const input: HistoryRangeInput = {
      ...job,
      path: fs.ref.path,
      file: table.file,
      start,
      stopAt: cuts.starts[i + 1] ?? Infinity,
      delimiter: table.delimiter.charCodeAt(0),
      maxRecordSize: DEFAULT_MAX_RECORD_SIZE,
      hints: shared && { slots: shared, first: cuts.firstRows[i]! },
    };
    const { worker, result } = rangeThread<Done>(WORKER, input, () => {});
    return { result, stop: async () => void (await worker.terminate()) };
  });
  return rangedPass(table, rows.visit, {
    starts: cuts.starts,
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
