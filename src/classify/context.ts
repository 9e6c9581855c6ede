/** What a condition sees of one contact while it is classified. */
import type { ActivityView } from '../aggregate/activity-view.js';

export type { ActivityView };

export interface Ctx {
  /** The contact row, aligned with the contacts header. */
  values: readonly string[];
  /** Its activity aggregate slot, or -1 when it has no activity. */
  slot: number;
  /** The moment the rules are evaluated as of: windows of date fields end here. */
  asOf: number;
  act: ActivityView;
  /**
   * Per field condition without a window: 0 not yet known, 1 holds, 2 does not. Set by the replay, which
   * evaluates one contact at many moments while its fields stay the same; undefined in `classify`.
   */
  fieldMemo?: Int8Array;
  fit: number;
  persona: boolean;
  consent: boolean;
  /** Per stage: 0 not yet known, 1 holds, 2 does not (for `stage:` references). */
  stageMemo: Int8Array;
  /** Inside the explanation of a referenced stage: its own `stage:` references are then named, not explained. */
  inStageRef?: boolean;
  /** Row-level problems found while reading values (unparsable number…), in the order found. */
  warnings: string[];
}

/** A condition's verdict with the evidence, for reasons and `funnel explain`. */
export interface Explained {
  held: boolean;
  /** The condition as written, e.g. `industry in [Software, SaaS]`. */
  text: string;
  /** What was seen, e.g. `Industry=Software`. */
  evidence: string;
  children?: Explained[];
  kind: string;
}

/** The short evidence of a condition that held: all of an `all`, the first that held of an `any`. */
export function reasonOf(e: Explained): string {
  // A held `all` or `any` has its reason as its evidence already (compileAllAny): not walked again per level.
  if (e.held && (e.kind === 'all' || e.kind === 'any')) return e.evidence;
  if (e.kind === 'all') return e.children!.map(reasonOf).filter(Boolean).join('; ');
  if (e.kind === 'any') {
    const first = e.children!.find((c) => c.held);
    return first ? reasonOf(first) : e.evidence;
  }
  return e.evidence;
}

export function addWarning(ctx: Ctx, w: string): void {
  if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
}
