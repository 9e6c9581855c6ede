/**
 * The contact CTEs, in the order of the classifier's facts (src/classify/classifier.ts): each row with its key,
 * joined to its activity aggregates, then fit, consent, persona, the referenced stages, and the verdict —
 * disqualification first (the first rule that holds), then the most mature stage whose condition holds.
 */
import { dateColumnsOf, isDateOp, allConditions } from '../rules/walk.js';
import { sqlCond } from './conditions.js';
import { keyOf, tableRef, type SqlEnv } from './env.js';
import { referencedStages } from './stage-order.js';
import { asText, inlineParts, slashOrderHint } from './values.js';

/** The CTEs and the internal columns they add (which the final select leaves out), ending in `staged`. */
export interface ContactCtes {
  ctes: string[];
  internal: string[];
}

/** The slash-date order of the contact fields compared as dates, when the rules leave it to the data (auto). */
export function contactDateOrderCte(env: SqlEnv): string[] {
  const { d, rules } = env;
  const usesDateFields = allConditions(rules).some((c) => c.kind === 'field' && c.ops.some(isDateOp));
  if (!usesDateFields || rules.activities.dateOrder !== 'auto') return [];
  const hints = dateColumnsOf(rules).map((c) => slashOrderHint(inlineParts(d, asText(d, d.ident(c)))));
  return [
    `contact_date_order AS (
  SELECT CASE WHEN ${hints.map((h) => `${d.countIf(`${h} = 'dmy'`)} > 0`).join(' OR ')} THEN 'dmy' WHEN ${hints.map((h) => `${d.countIf(`${h} = 'mdy'`)} > 0`).join(' OR ')} THEN 'mdy' END AS date_order
  FROM ${tableRef(d, env.o.contactsTable)}
)`,
  ];
}

/** The contacts with key and input order, joined to their aggregates (zero without activity), with fit, consent and persona. */
function facts(env: SqlEnv, internal: string[]): string[] {
  const { d, rules, plan, hasActivities } = env;
  internal.push('__key', '__row', ...plan.counters.map((_, i) => `__n${i}`), '__score', '__dups');
  const ctes = [
    `contacts AS (
  SELECT ${d.keepRow.select('c')}, ${keyOf(env, `c.${d.ident(env.key)}`)} AS __key, ${d.rowNumber()} AS __row
  FROM ${tableRef(d, env.o.contactsTable)} c
)`,
    `joined AS (
  SELECT c.*,
${plan.counters.map((_, i) => `    COALESCE(a.n${i}, 0) AS __n${i},`).join('\n')}${plan.counters.length ? '\n' : ''}    COALESCE(${hasActivities ? 'a.score' : 'NULL'}, 0) AS __score,
    count(*) OVER (PARTITION BY c.__key) AS __dups
  FROM contacts c${hasActivities ? `\n  LEFT JOIN aggregates a ON a.k = c.__key` : ''}
)`,
  ];
  const fit = rules.scoring.fit.length ? rules.scoring.fit.map((f) => `CASE WHEN ${sqlCond(f.when, env)} THEN ${String(f.points)} ELSE 0 END`).join('\n      + ') : '0';
  internal.push('__fit', '__consent', '__persona');
  ctes.push(`fit AS (
  SELECT c.*, ${fit} AS __fit
  FROM joined c
)`);
  ctes.push(`consent AS (
  SELECT c.*, COALESCE(${rules.consent ? sqlCond(rules.consent.when, env) : 'TRUE'}, FALSE) AS __consent
  FROM fit c
)`);
  ctes.push(`persona AS (
  SELECT c.*, COALESCE(${rules.persona ? sqlCond(rules.persona, env) : 'TRUE'}, FALSE) AS __persona
  FROM consent c
)`);
  return ctes;
}

/** A stage's condition as a boolean; a stage without `when` always holds, as in the classifier. */
function holds(env: SqlEnv, i: number): string {
  const when = env.rules.stages[i]!.when;
  return when ? `COALESCE(${sqlCond(when, env)}, FALSE)` : 'TRUE';
}

export function contactCtes(env: SqlEnv): ContactCtes {
  const { d, rules } = env;
  const internal: string[] = [];
  const ctes = facts(env, internal);
  // Each stage that a `stage:` reference names, computed once as a column, after the stages it names: inlining
  // its condition at every reference would repeat it once per path (exponential for chains of references).
  let from = 'persona';
  for (const i of referencedStages(rules, env.stageIndex)) {
    const when = rules.stages[i]!.when;
    internal.push(`__st${i}`);
    ctes.push(`stage_${i} AS (
  SELECT c.*, COALESCE(${when ? sqlCond(when, env) : 'TRUE'}, FALSE) AS __st${i}
  FROM ${from} c
)`);
    from = `stage_${i}`;
  }
  const stageHolds = (i: number): string => (internal.includes(`__st${i}`) ? `c.__st${i}` : holds(env, i));
  internal.push('__disq', '__stage');
  const disq = rules.disqualify.length ? `CASE ${rules.disqualify.map((q) => `WHEN COALESCE(${sqlCond(q.when, env)}, FALSE) THEN ${d.str(q.id)}`).join('\n      ')} END` : 'NULL';
  const stageCase = rules.stages
    .map((_, i) => i)
    .slice(1)
    .reverse()
    .map((i) => `WHEN ${stageHolds(i)} THEN ${i}`)
    .join('\n      ');
  ctes.push(`staged AS (
  -- disqualification first (the first rule that holds), then the most mature stage whose condition holds
  SELECT c.*,
    ${disq} AS __disq,
    ${stageCase ? `CASE ${stageCase}\n      ELSE 0 END` : '0'} AS __stage
  FROM ${from} c
)`);
  return { ctes, internal };
}
