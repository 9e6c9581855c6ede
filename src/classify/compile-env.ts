/** What a compiled condition is, and what compiling one needs to know of the run and of the classifier. */
import type { ActivityPlan } from '../aggregate/plan.js';
import type { DateOrder } from '../values/dates.js';
import type { Ctx, Explained } from './context.js';

/** One `test` (the semantics, on the hot path) and an `explain` that reuses it and only adds words. */
export interface CompiledCond {
  test(ctx: Ctx): boolean;
  explain(ctx: Ctx): Explained;
}

export interface CompileEnv {
  timezone: string;
  /** Order of ambiguous slash dates in contact fields; undefined leaves them unparsable. */
  dateOrder?: DateOrder;
  plan: ActivityPlan;
  /** The next index in Ctx.fieldMemo, for a field condition whose verdict does not change with time. */
  memoSlot(): number;
  /** Column index of a field (friendly name or column), -1 when the contacts have no such column. */
  column(field: string): { index: number; name: string };
  stage(id: string): { test(ctx: Ctx): boolean; explain(ctx: Ctx): Explained };
  fitExplain(ctx: Ctx): string;
  personaExplain(ctx: Ctx): string;
  consentExplain(ctx: Ctx): string;
}
