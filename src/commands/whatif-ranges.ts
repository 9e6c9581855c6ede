/**
 * whatif's second pass over one contacts file on `--threads` threads, as classify's (output/annotated-ranges.ts):
 * the file cut into byte ranges, this thread reading the first while worker threads (whatif-range-worker.ts) read
 * the others over the aggregates in shared memory; their tallies added and their moved rows appended in file
 * order — the very report and bytes of one thread.
 */
import type { ContactFileScan } from '../input/contacts.js';
import { forEachRecord, type Table } from '../input/table.js';
import type { Rules } from '../rules/model.js';
import type { DateOrder } from '../values/dates.js';
import { rangeCount } from '../aggregate/ranges.js';
import { rangedPass, type RangedPass, type RangeRun } from '../aggregate/ranged-pass.js';
import type { Aggregates } from '../aggregate/store.js';
import type { ContactEvents } from '../aggregate/events.js';
import type { ByteSink } from '../output/byte-sink.js';
import type { RowFormatOptions } from '../output/rows.js';
import { appendToSink, readSpool } from '../output/spool.js';
import { contactRanges, DEFAULT_MIN_CONTACT_RANGE_BYTES } from '../output/annotated-ranges.js';
import { releaseScratch, scratchFile } from '../util/scratch.js';
import { rangeThread, WarmThreads } from '../util/range-thread.js';
import type { FromWhatifRange, WhatifRangeInput } from './whatif-range-worker.js';
import type { Tally, WhatifRows } from './whatif-rows.js';

const WORKER = new URL('./whatif-range-worker.js', import.meta.url);

export interface WhatifRangesContext {
  threads: number;
  minRangeBytes?: number;
  before: Rules;
  after: Rules;
  asOf: number;
  dateOrder?: DateOrder;
  header: string[];
  events?: ContactEvents;
  aggs: Aggregates;
  tally: Tally;
  /** The moved rows: where this thread writes them, and their format for the threads. */
  moved?: { sink: ByteSink; format: RowFormatOptions };
  /** Threads started ahead, used before new ones. */
  warm?: WarmThreads<Done>;
  /** The first pass's slot per contact row, for the threads to take again. */
  slots?: Int32Array;
}

type Done = Extract<FromWhatifRange, { type: 'done' }>;

/** Threads for the contacts' ranges of a file of `size` bytes, started before the fold; none when it is not cut. */
export function whatifThreadsAhead(size: number | undefined, threads: number, minRangeBytes = DEFAULT_MIN_CONTACT_RANGE_BYTES): WarmThreads<Done> | undefined {
  const n = size === undefined || threads < 2 ? 1 : rangeCount(size, threads, minRangeBytes);
  return n > 1 ? new WarmThreads<Done>(WORKER, n - 1) : undefined;
}

export async function whatifInRanges(fs: ContactFileScan, map: number[], table: Table, rows: WhatifRows, between: () => Promise<void>, c: WhatifRangesContext): Promise<RangedPass> {
  const plan = contactRanges(fs, table, { threads: c.threads, minRangeBytes: c.minRangeBytes ?? DEFAULT_MIN_CONTACT_RANGE_BYTES, slots: c.slots }, 'read');
  if ('whole' in plan) {
    await forEachRecord(table, rows.visit, between);
    return { ranges: 1, whole: plan.whole };
  }
  const aggs = c.aggs.share();
  const runs = plan.ranges.map((range, i): RangeRun<Done> & { spool?: string } => {
    const spool = c.moved ? scratchFile(`funnel-whatif-${i + 2}`) : undefined;
    const input: WhatifRangeInput = {
      ...range,
      before: c.before,
      after: c.after,
      asOf: c.asOf,
      dateOrder: c.dateOrder,
      header: c.header,
      map,
      scan: { headers: fs.headers, keyColumn: fs.keyColumn, format: fs.format },
      files: table.file,
      aggs,
      events: c.events,
      moved: spool && c.moved ? { spool, format: c.moved.format } : undefined,
    };
    const { worker, result } = rangeThread<Done>(WORKER, input, () => {}, c.warm);
    const stop = async (): Promise<void> => {
      await worker.terminate();
      if (spool) releaseScratch(spool);
    };
    return { result, spool, stop };
  });
  return rangedPass(table, rows.visit, {
    starts: plan.ranges.map((r) => r.start),
    runs,
    between,
    adopt: async (done) => {
      for (const [i, d] of done.entries()) {
        c.tally.merge(d.tally);
        if (!c.moved) continue;
        await c.moved.sink.flush();
        await readSpool(runs[i]!.spool!, appendToSink(c.moved.sink));
      }
    },
  });
}
