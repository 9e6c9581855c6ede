/**
 * A contact's activity as of one moment: its counters (at `base` in the arrays) and its score. `classify` reads
 * the fold's aggregates, decayed to as-of; the replay (SPEC §7) its own running state at each earlier moment.
 */
export interface ActivityView {
  counts: Uint32Array;
  /** Per counter: the latest dated event counted (NaN when none), and its signal index. */
  last: Float64Array;
  lastSignal: Int32Array;
  /** Where the contact's counters start; -1 when it has no activity. */
  base: number;
  score: number;
}
