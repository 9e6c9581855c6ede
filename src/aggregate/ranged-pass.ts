/**
 * One pass over a file in byte ranges, the shape shared by the passes over the contacts (classify's, whatif's):
 * this thread reads the first range while threads read the others; their results are taken in file order — or,
 * whenever a range cannot be trusted (a cut inside a quoted field, a thread that failed), this thread simply reads
 * on past its range to the end of the file: slower, the same results.
 */
import { forEachRecord, readUntil, type Rec, type Table } from '../input/table.js';
import type { RangeEnd } from '../input/records.js';
import type { ThreadFailed } from '../util/range-thread.js';
import { firstRangeProblem, rangesProblem } from './ranges.js';

export interface RangeRun<D> {
  result: Promise<D | ThreadFailed>;
  /** Ends the thread and removes what it left (awaited whatever happened). */
  stop(): Promise<void>;
}

export interface RangedPass {
  /** Ranges read: 1 when the file was read in one piece. */
  ranges: number;
  /** Why a file cut into ranges was read in one piece. */
  whole?: string;
}

export interface RangedPassOptions<D> {
  /** Where the other ranges start (the first is this thread's, from where `table` stands). */
  starts: readonly number[];
  /** Awaited between chunks of this thread's input. */
  between: () => Promise<void>;
  /** The other ranges' threads, started (one per start). */
  runs: readonly RangeRun<D>[];
  /** The threads' results, in file order, once every range is known good. */
  adopt: (done: readonly D[]) => Promise<void>;
}

export async function rangedPass<D extends { type: 'done'; ended: RangeEnd }>(table: Table, visit: (row: Rec) => void, o: RangedPassOptions<D>): Promise<RangedPass> {
  const rest = async (why: string): Promise<RangedPass> => {
    await forEachRecord(table, visit, o.between);
    return { ranges: 1, whole: why };
  };
  try {
    const ended = await readUntil(table, visit, o.starts[0]!, o.between);
    const why = firstRangeProblem(ended);
    if (why) return await rest(why);
    const results: (D | ThreadFailed)[] = await Promise.all(o.runs.map((r) => r.result));
    const problem = rangesProblem(results);
    if (problem) return await rest(problem);
    await o.adopt(results.filter((r): r is D => r.type === 'done'));
    return { ranges: o.runs.length + 1 };
  } finally {
    await Promise.all(o.runs.map((r) => r.stop()));
  }
}
