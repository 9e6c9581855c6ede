/**
 * Field conditions as SQL, the twin of src/classify/fields.ts: a value is missing when it trims to nothing,
 * text compares trimmed and case folded, a number rule value compares as a number when the value reads as one,
 * dates are read as the data rules read them, and a value that cannot be read never satisfies a comparison.
 */
import { fieldColumn, type Cond, type FieldOp, type Scalar } from '../rules/model.js';
import { norm } from '../util/text.js';
import { wantedDomain } from '../values/domains.js';
import { contactOrder, SqlCompileError, type SqlEnv } from './env.js';
import { asText, date, domain, fold, inlineParts, number, trim } from './values.js';

export const SQL_CMP: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', equals: '=', not_equals: '<>' };

/** `field:` with its operators, all of which must hold, over the column the rules name. */
export function fieldCond(x: Extract<Cond, { kind: 'field' }>, env: SqlEnv): string {
  const col = `c.${env.d.ident(fieldColumn(env.rules, x.field))}`;
  return `(${x.ops.map((op) => fieldOp(col, op, env)).join(' AND ')})`;
}

function empty(env: SqlEnv, e: string): string {
  return `(COALESCE(${trim(env.d, asText(env.d, e))}, '') = '')`;
}

function eq(env: SqlEnv, e: string, x: Scalar): string {
  const { d } = env;
  const t = d.str(norm(String(x)));
  if (typeof x !== 'number') return `(${fold(d, asText(d, e))} = ${t})`;
  const n = number(d, asText(d, e));
  return `(CASE WHEN ${n} IS NOT NULL THEN ${n} = ${x} ELSE ${fold(d, asText(d, e))} = ${t} END)`;
}

function fieldDate(env: SqlEnv, e: string): string {
  return date(env.d, inlineParts(env.d, asText(env.d, e)), env.rules.activities.timezone, contactOrder(env));
}

/** The operators that compare a value read as a number or a date. */
function ordered(env: SqlEnv, e: string, op: Extract<FieldOp, { op: 'gt' | 'gte' | 'lt' | 'lte' | 'before' | 'after' | 'within' }>): string {
  switch (op.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = op.date !== undefined ? fieldDate(env, e) : number(env.d, asText(env.d, e));
      return `COALESCE(${v} ${SQL_CMP[op.op]} ${op.value}, FALSE)`;
    }
    case 'before':
    case 'after':
      return `COALESCE(${fieldDate(env, e)} ${op.op === 'before' ? '<' : '>'} ${op.value}, FALSE)`;
    case 'within':
      return `COALESCE(${fieldDate(env, e)} BETWEEN ${env.o.asOf - op.ms} AND ${String(env.o.asOf)}, FALSE)`;
  }
}

function fieldOp(e: string, op: FieldOp, env: SqlEnv): string {
  const { d } = env;
  const present = `(NOT ${empty(env, e)})`;
  switch (op.op) {
    case 'equals':
      return `(${present} AND ${eq(env, e, op.value)})`;
    case 'not_equals':
      return `(${empty(env, e)} OR NOT ${eq(env, e, op.value)})`;
    case 'in':
      return `(${present} AND (${op.values.map((v) => eq(env, e, v)).join(' OR ')}))`;
    case 'not_in':
      return `(${empty(env, e)} OR NOT (${op.values.map((v) => eq(env, e, v)).join(' OR ')}))`;
    case 'contains':
      return `(${present} AND strpos(${fold(d, asText(d, e))}, ${d.str(norm(String(op.value)))}) > 0)`;
    case 'matches': {
      const problem = d.regexProblem(op.source);
      if (problem) throw new SqlCompileError(`matches /${op.source}/ uses ${problem}, which ${d.name} cannot express`, {}, 'rewrite the regular expression without it, or classify with the CLI');
      return `(${present} AND ${d.search(trim(d, asText(d, e)), d.userRegex(op.source), true)})`;
    }
    case 'present':
      return op.value ? present : empty(env, e);
    case 'domain_in': {
      const dom = domain(d, asText(d, e));
      const alts = op.values.map((x) => {
        const w = wantedDomain(String(x));
        return `${dom} = ${d.str(w.domain)} OR ${d.endsWith(dom, d.str(w.suffix))}`;
      });
      return `(${present} AND (${alts.join(' OR ')}))`;
    }
    default:
      return `(${present} AND ${ordered(env, e, op)})`;
  }
}
