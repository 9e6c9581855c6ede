/**
 * The funnel per value of a field (`--by`): one summary builder per segment, the 20 largest kept by name,
 * the rest merged into `(other)`, empty values as `(none)` (src/aggregate/segments.ts).
 */
import type { Verdict } from '../classify/classifier.js';
import { SegmentBuckets } from '../aggregate/segments.js';
import type { Stage } from '../rules/model.js';
import { SummaryBuilder, type SegmentLine } from './summary.js';

export class SegmentedSummary {
  private readonly buckets: SegmentBuckets<SummaryBuilder>;

  constructor(stages: readonly Stage[]) {
    this.buckets = new SegmentBuckets(() => new SummaryBuilder(stages));
  }

  /** `overdue`: the contact is past its stage's sla. */
  add(value: string | undefined, v: Pick<Verdict, 'stageIndex' | 'disqualifiedBy' | 'consent' | 'warnings'>, overdue = false): void {
    const b = this.buckets.bucket(value);
    b.add(v);
    if (overdue) b.overdue(v.stageIndex);
  }

  build(): SegmentLine[] {
    return this.buckets.collapse((into, from) => into.merge(from)).map((s) => ({ segment: s.segment, total: s.data.contacts, stages: s.data.stageLines() }));
  }
}
