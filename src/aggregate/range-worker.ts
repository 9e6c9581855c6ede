/**
 * The thread of `--threads` that folds one byte range of an activities file into aggregates of its own, which
 * the main thread merges after its own range (aggregate/ranges.ts). It knows nothing of the rows before its
 * range, so whatever they could change — a slash date's order, a quote left open across the start — makes it
 * give up, and the main thread folds the file in one piece: the results never depend on the thread count.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readByteRange, type ByteRange, type RangeEnd } from '../input/byte-range.js';
import type { Rules } from '../rules/model.js';
import { createFolder, type ActivityColumns, type FoldStats } from './folder.js';
import { planActivities } from './plan.js';
import { planUnion } from './plan-union.js';
import { Aggregates, buffersOf, type AggregateData } from './store.js';

export interface RangeInput extends ByteRange {
  rules: Rules;
  asOf: number;
  cols: ActivityColumns;
  /** Keep each event's compact record, for the replay. */
  events: boolean;
  /** The rule sets of a plan made for several (whatif), to make the very same plan here. */
  planRules?: Rules[];
}

export type FromRange =
  | { type: 'progress'; rows: number }
  /** 'exact': the range ended at a record that starts at stopAt; 'past': at one beyond it; 'end': at the end of the file. */
  | { type: 'done'; ended: RangeEnd; stats: FoldStats; data: AggregateData }
  | { type: 'failed'; reason: string };

const PROGRESS_EVERY = 1 << 18;

async function foldRange(input: RangeInput, send: (m: FromRange, transfer?: ArrayBuffer[]) => void): Promise<void> {
  const plan = input.planRules ? planUnion(input.planRules, input.asOf) : planActivities(input.rules, input.asOf);
  const aggs = new Aggregates(plan.counters.length, input.events, plan.scores.length);
  const folder = createFolder(input.file, input.cols, { rules: input.rules, plan, aggs, warn: () => {}, range: true });
  let reported = 0;
  const ended = await readByteRange(input, folder.visit, () => {
    if (folder.stats.rows - reported < PROGRESS_EVERY) return;
    reported = folder.stats.rows;
    send({ type: 'progress', rows: reported });
  });
  const data = aggs.data();
  send({ type: 'done', ended, stats: folder.stats, data }, buffersOf(data));
}

const port = parentPort!;
// Alive until the main thread ends it, so that the message with the results always arrives before the exit; the
// main thread sends the results' buffers back then, to be freed with this thread.
port.on('message', () => {});
foldRange(workerData as RangeInput, (m, transfer) => port.postMessage(m, transfer)).catch((e: unknown) => {
  port.postMessage({ type: 'failed', reason: e instanceof Error ? e.message : String(e) } satisfies FromRange);
});
