/**
 * A thread of `--threads` that runs whatif's second pass over one byte range of the contacts file: both rule
 * sets' verdicts per row over the aggregates in shared memory, tallied, the moved rows written to a spool file
 * that the main thread appends after its own (whatif.ts); the tallies are sent back to be added.
 */
import { runRangeJob } from '../util/range-job.js';
import { readByteRange, type ByteRange, type RangeEnd } from '../input/byte-range.js';
import type { ContactFileScan } from '../input/contacts.js';
import type { RowHints } from '../output/annotated-rows.js';
import type { Rules } from '../rules/model.js';
import type { DateOrder } from '../values/dates.js';
import { planUnion } from '../aggregate/plan-union.js';
import { Aggregates, type SharedAggregates } from '../aggregate/store.js';
import type { ContactEvents } from '../aggregate/events.js';
import { ByteSink } from '../output/byte-sink.js';
import { rowFormat, type RowFormatOptions } from '../output/rows.js';
import { Spool } from '../output/spool.js';
import { makeSides, tallyOf, WhatifRows, type TallyData } from './whatif-rows.js';

export interface WhatifRangeInput extends ByteRange {
  before: Rules;
  after: Rules;
  asOf: number;
  dateOrder?: DateOrder;
  header: string[];
  map: number[];
  scan: Pick<ContactFileScan, 'headers' | 'keyColumn' | 'format'>;
  files: string;
  aggs: SharedAggregates;
  events?: ContactEvents;
  /** The moved rows' spool file and format (the header is the main thread's). */
  moved?: { spool: string; format: RowFormatOptions };
  /** The first pass's slots per row, and the index there of this range's first row. */
  hints?: RowHints;
}

export type FromWhatifRange = { type: 'done'; ended: RangeEnd; tally: TallyData } | { type: 'failed'; reason: string };

async function whatifRange(input: WhatifRangeInput, send: (m: FromWhatifRange) => void): Promise<void> {
  const { before, after, asOf } = input;
  const aggs = Aggregates.attach(input.aggs);
  const plan = planUnion([before, after], asOf);
  const sides = makeSides(before, after, { plan, aggs, header: input.header, dateOrder: input.dateOrder, asOf, events: input.events, files: input.files, warn: () => {} });
  const tally = tallyOf(before, after);
  const spool = input.moved && new Spool(input.moved.spool);
  const moved = input.moved && { sink: new ByteSink((chunk) => spool!.write(chunk), true), format: rowFormat(input.moved.format) };
  const rows = new WhatifRows({ sides, header: input.header, aggs, dateOrder: input.dateOrder, asOf, tally, moved, hints: input.hints });
  rows.startFile(input.scan, input.map);
  try {
    const ended = await readByteRange(input, rows.visit, async () => {
      if (moved?.sink.full) await moved.sink.flush();
    });
    await moved?.sink.flush();
    send({ type: 'done', ended, tally: tally.data() });
  } finally {
    spool?.close();
  }
}

runRangeJob<WhatifRangeInput, FromWhatifRange>(whatifRange);
