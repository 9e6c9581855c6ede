/**
 * A thread of `--threads` that replays one byte range of the contacts file for `history`: the same rows' work as
 * the main thread's (history-rows.ts) over the aggregates and events in shared memory, its counts sent back for
 * the main thread to add after its own (history-ranges.ts). Nothing is written here.
 */
import { runRangeJob } from '../util/range-job.js';
import { readByteRange, type ByteRange, type RangeEnd } from '../input/byte-range.js';
import type { Rules } from '../rules/model.js';
import type { DateOrder } from '../values/dates.js';
import type { Period } from '../aggregate/periods.js';
import { planActivities } from '../aggregate/plan.js';
import { Aggregates, type SharedAggregates } from '../aggregate/store.js';
import type { ContactEvents } from '../aggregate/events.js';
import { Classifier } from '../classify/classifier.js';
import { Replayer } from '../classify/timeline.js';
import { HistoryBuilder, type HistoryData } from '../output/history.js';
import type { RowHints } from '../output/annotated-rows.js';
import { HistoryRows } from './history-rows.js';

export interface HistoryRangeInput extends ByteRange {
  rules: Rules;
  asOf: number;
  dateOrder?: DateOrder;
  periods: Period[];
  /** The moments of the replay before the as-of (the periods' ends). */
  ends: Float64Array;
  /** The file's header, its key column, its `contacts.created` and `--by` columns (-1: none). */
  headers: string[];
  keyColumn: number;
  created: number;
  by: number;
  aggs: SharedAggregates;
  events: ContactEvents;
  hints?: RowHints;
}

export type FromHistoryRange = { type: 'progress'; rows: number } | { type: 'done'; ended: RangeEnd; rows: number; data: HistoryData } | { type: 'failed'; reason: string };

const PROGRESS_EVERY = 1 << 14;

async function historyRange(input: HistoryRangeInput, send: (m: FromHistoryRange) => void): Promise<void> {
  const { rules, asOf } = input;
  const aggs = Aggregates.attach(input.aggs);
  const plan = planActivities(rules, asOf);
  // File-level warnings are the main thread's: it has said them.
  const classifier = new Classifier(rules, { headers: input.headers, asOf, plan, aggs, dateOrder: input.dateOrder, warn: () => {} });
  const replayer = new Replayer(classifier, rules, plan, input.events, asOf, input.ends);
  const builder = new HistoryBuilder(rules.stages, input.periods, input.by >= 0);
  const rows = new HistoryRows({ rules, classifier, replayer, builder, aggs, headers: input.headers, keyColumn: input.keyColumn, created: input.created, by: input.by, dateOrder: input.dateOrder, hints: input.hints });
  let reported = 0;
  const ended = await readByteRange(input, rows.visit, () => {
    if (rows.rows - reported < PROGRESS_EVERY) return;
    reported = rows.rows;
    send({ type: 'progress', rows: reported });
  });
  send({ type: 'done', ended, rows: rows.rows, data: builder.data() });
}

runRangeJob<HistoryRangeInput, FromHistoryRange>(historyRange);
