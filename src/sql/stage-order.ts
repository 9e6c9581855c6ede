/** Which stages the query computes as columns of their own, and in which order. */
import type { Cond, Rules } from '../rules/model.js';
import { allConditions } from '../rules/walk.js';

/** The stages a condition names with `stage:`, in the order written. */
function named(rules: Rules, stageIndex: Map<string, number>, i: number): number[] {
  const out: number[] = [];
  const walk = (x: Cond): void => {
    if (x.kind === 'stage') out.push(stageIndex.get(x.id)!);
    else if (x.kind === 'all' || x.kind === 'any') x.items.forEach(walk);
    else if (x.kind === 'not') walk(x.item);
  };
  const when = rules.stages[i]!.when;
  if (when) walk(when);
  return out;
}

/** The stages that `stage:` references name, each after the stages its own condition names. */
export function referencedStages(rules: Rules, stageIndex: Map<string, number>): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  // The loader has refused cycles, so this ends; an explicit stack, as chains can be long.
  const visit = (root: number): void => {
    const stack: { i: number; deps: number[]; at: number }[] = [];
    const push = (i: number): void => {
      seen.add(i);
      stack.push({ i, deps: named(rules, stageIndex, i), at: 0 });
    };
    if (seen.has(root)) return;
    push(root);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const dep = top.deps[top.at++];
      if (dep === undefined) {
        order.push(top.i);
        stack.pop();
      } else if (!seen.has(dep)) push(dep);
    }
  };
  for (const c of allConditions(rules)) if (c.kind === 'stage') visit(stageIndex.get(c.id)!);
  return order;
}
