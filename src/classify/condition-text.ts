/** How conditions are written in reasons and `funnel explain`: operators as symbols, numbers, operator texts. */
import type { FieldOp, Scalar } from '../rules/model.js';

export const SYMBOL: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', equals: '=', not_equals: '≠' };
/** The symbol of a comparison that did not hold. */
export const NEGATED: Record<string, string> = { gt: '≤', gte: '<', lt: '≥', lte: '>', equals: '≠', not_equals: '=' };

/** A number as reasons show it: integers as they are, else one decimal. */
export function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 10) / 10);
}

function listText(values: readonly Scalar[]): string {
  return `[${values.map(String).join(', ')}]`;
}

/** A field operator as written, e.g. `in [Software, SaaS]`, `≥ 50`, `within 30d`. */
export function opText(op: FieldOp): string {
  switch (op.op) {
    case 'equals':
    case 'not_equals':
    case 'contains':
      return `${op.op} ${String(op.value)}`;
    case 'in':
    case 'not_in':
    case 'domain_in':
      return `${op.op} ${listText(op.values)}`;
    case 'matches':
      return `matches /${op.source}/`;
    case 'present':
      return op.value ? 'present' : 'absent';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${SYMBOL[op.op]} ${op.date ?? fmtNum(op.value)}`;
    case 'before':
    case 'after':
      return `${op.op} ${op.date}`;
    case 'within':
      return `within ${op.text}`;
  }
}
