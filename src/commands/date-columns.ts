import { allConditions } from '../aggregate/plan.js';
import type { Rules } from '../rules/model.js';

/** Column names that the rules compare as dates, whose slash-date order is detected in the contacts. */
export function dateColumnsOf(rules: Rules): string[] {
  const out = new Set<string>();
  for (const c of allConditions(rules)) {
    if (c.kind !== 'field') continue;
    if (c.ops.some((o) => o.op === 'before' || o.op === 'after' || o.op === 'within' || ('date' in o && o.date !== undefined))) out.add(rules.fields.get(c.field) ?? c.field);
  }
  return [...out];
}
