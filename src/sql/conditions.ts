/**
 * Conditions as SQL boolean expressions over the row alias `c` (the contact's columns plus `__n*`, `__score`,
 * `__fit`, `__consent`, `__persona`, `__st*`): the twin of src/classify/conditions.ts, kind by kind, so the two
 * semantics read side by side. Field operators are in ./fields.ts, as in the classifier.
 */
import type { Cond, NumCmp } from '../rules/model.js';
import type { SqlEnv } from './env.js';
import { fieldCond, SQL_CMP } from './fields.js';

function cmps(e: string, cs: NumCmp[]): string {
  return `(${cs.map((c) => `${e} ${SQL_CMP[c.op]} ${String(c.value)}`).join(' AND ')})`;
}

/** `activity`: the counter of its signals × window, in the bounds of `count`. */
function activityCond(x: Extract<Cond, { kind: 'activity' }>, env: SqlEnv): string {
  const n = `c.__n${env.plan.counterOf.get(x)!}`;
  const parts = [x.count.gte !== undefined ? `${n} >= ${x.count.gte}` : '', x.count.lte !== undefined ? `${n} <= ${x.count.lte}` : ''].filter(Boolean);
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}

export function sqlCond(x: Cond, env: SqlEnv): string {
  switch (x.kind) {
    case 'all':
      return `(${x.items.map((i) => sqlCond(i, env)).join(' AND ')})`;
    case 'any':
      return `(${x.items.map((i) => sqlCond(i, env)).join(' OR ')})`;
    case 'not':
      return `(NOT ${sqlCond(x.item, env)})`;
    case 'field':
      return fieldCond(x, env);
    case 'activity':
      return activityCond(x, env);
    case 'score':
      return cmps('c.__score', x.cmps);
    case 'fit':
      return cmps('c.__fit', x.cmps);
    case 'persona':
      return x.value ? 'c.__persona' : '(NOT c.__persona)';
    case 'consent':
      return x.value ? 'c.__consent' : '(NOT c.__consent)';
    case 'stage':
      // Each referenced stage is a column of its own CTE (./contacts.ts), computed once.
      return `c.__st${env.stageIndex.get(x.id)!}`;
  }
}
