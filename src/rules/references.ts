/**
 * What only the whole rules file tells: `stage:` references to stages that do not exist, cycles among them,
 * and points for a signal nothing else names (probably a typo).
 */
import type { Node } from 'yaml';
import { closest } from '../util/text.js';
import type { Checker } from './checker.js';
import type { StageRef } from './conditions.js';
import { allConditions, type RuleConditions } from './walk.js';

export function checkStageRefs(c: Checker, refs: readonly StageRef[], stages: Map<string, Node | null>): void {
  for (const r of refs) {
    if (!stages.has(r.id)) {
      const guess = closest(r.id, stages.keys());
      c.error(r.node, `unknown stage '${r.id}' in 'stage:'`, guess ? `did you mean '${guess}'?` : `stages are: ${[...stages.keys()].join(', ')}`);
    }
  }
  reportCycles(c, refs, stages);
}

/**
 * Cycles among `stage:` references, found in one depth-first walk (each stage and reference once: a chain of
 * stages each naming the ones before must not be walked once per path).
 */
function reportCycles(c: Checker, refs: readonly StageRef[], stages: Map<string, Node | null>): void {
  const edges = new Map<string, StageRef[]>();
  for (const r of refs) if (r.from !== undefined) edges.set(r.from, [...(edges.get(r.from) ?? []), r]);
  const done = new Set<string>();
  const reported = new Set<string>();
  for (const start of edges.keys()) {
    if (done.has(start)) continue;
    // An explicit stack, as a long chain would overflow the call stack.
    const path: string[] = [start];
    const onPath = new Map<string, number>([[start, 0]]);
    const next: number[] = [0];
    while (path.length) {
      const id = path[path.length - 1]!;
      const out = edges.get(id) ?? [];
      const i = next[next.length - 1]!++;
      if (i >= out.length) {
        done.add(id);
        onPath.delete(id);
        path.pop();
        next.pop();
        continue;
      }
      const e = out[i]!;
      const at = onPath.get(e.id);
      if (at !== undefined) {
        const cycle = [...path.slice(at), e.id];
        const key = [...new Set(cycle)].sort().join('>');
        if (!reported.has(key)) {
          reported.add(key);
          c.error(e.node, `stage references form a cycle: ${cycle.join(' → ')}`, 'a stage cannot depend on itself');
        }
      } else if (!done.has(e.id) && stages.has(e.id)) {
        onPath.set(e.id, path.length);
        path.push(e.id);
        next.push(0);
      }
    }
  }
}

/** A warning for points given to a signal that no `types` entry or condition names, when one close to it is. */
export function warnUnusedPoints(c: Checker, pointNodes: Map<string, Node | null>, declared: Set<string>, rules: RuleConditions): void {
  const used = new Set<string>(declared);
  for (const cond of allConditions(rules)) if (cond.kind === 'activity') cond.signals.forEach((s) => used.add(s));
  for (const [signal, node] of pointNodes) {
    if (!used.has(signal)) {
      const guess = closest(signal, used);
      if (guess) c.warn(node, `points for '${signal}', a signal no 'types' entry or condition names`, `did you mean '${guess}'?`);
    }
  }
}
