/** Walks over the conditions of a rules model: every node, and the questions several layers ask of them. */
import { fieldColumn, type Cond, type FieldOp, type Rules } from './model.js';

function walk(cond: Cond | undefined, visit: (c: Cond) => void): void {
  if (!cond) return;
  visit(cond);
  if (cond.kind === 'all' || cond.kind === 'any') cond.items.forEach((c) => walk(c, visit));
  else if (cond.kind === 'not') walk(cond.item, visit);
}

/** The parts of a rules model that hold conditions. */
export type RuleConditions = Pick<Rules, 'stages' | 'disqualify' | 'scoring' | 'persona' | 'consent'>;

/** Every condition node, in the order of stages, disqualify rules, fit rules, persona, consent. */
export function allConditions(rules: RuleConditions): Cond[] {
  const roots: (Cond | undefined)[] = [
    ...rules.stages.map((s) => s.when),
    ...rules.disqualify.map((d) => d.when),
    ...rules.scoring.fit.map((f) => f.when),
    rules.persona,
    rules.consent?.when,
  ];
  const out: Cond[] = [];
  roots.forEach((r) => walk(r, (c) => out.push(c)));
  return out;
}

/** A field operator that reads the field as a date. */
export function isDateOp(op: FieldOp): boolean {
  return op.op === 'before' || op.op === 'after' || op.op === 'within' || ('date' in op && op.date !== undefined);
}

/** Column names that the rules compare as dates, whose slash-date order is detected in the contacts. */
export function dateColumnsOf(rules: Rules): string[] {
  const out = new Set<string>();
  for (const c of allConditions(rules)) if (c.kind === 'field' && c.ops.some(isDateOp)) out.add(fieldColumn(rules, c.field));
  return [...out];
}
