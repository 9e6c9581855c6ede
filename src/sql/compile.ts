/**
 * `funnel sql`: the rules compiled into one SQL statement with the same semantics as `funnel classify`, so the
 * classification runs where the data lives. CTEs, in the order of the CLI's pipeline: activities with their
 * signal and time, per-key aggregates, contacts with fit, persona, consent, disqualification and stage.
 */
import { UsageError } from '../errors.js';
import { planActivities } from '../aggregate/plan.js';
import { dateColumnsOf, isDateOp, allConditions } from '../rules/walk.js';
import { DEFAULT_CONSENT_ACTION, type Cond, type FieldOp, type NumCmp, type Rules, type Scalar } from '../rules/model.js';
import { norm } from '../util/text.js';
import { isoTime } from '../values/dates.js';
import type { Dialect } from './dialect.js';
import { columnParts, date, domain, fold, inlineParts, number, partsColumns, slashOrderHint, snake, trim } from './values.js';

export interface SqlOptions {
  contactsTable: string;
  activitiesTable?: string;
  asOf: number;
  prefix: string;
}

/** A rule the dialect cannot express: exit 2 with the atom and the dialect named. */
export class SqlCompileError extends UsageError {}

const SYM: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', equals: '=', not_equals: '<>' };

/** A table name as given: `schema.table` is quoted part by part. */
function tableRef(d: Dialect, name: string): string {
  return name
    .split('.')
    .map((p) => d.ident(p))
    .join('.');
}

/**
 * Text for a `--` comment: a line break in it (a rules path may hold one) would end the comment and let the
 * rest run as SQL, so line breaks and every other control character are written as escapes.
 */
function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The stages that `stage:` references name, each after the stages its own condition names. */
function referencedStages(rules: Rules, stageIndex: Map<string, number>): number[] {
  const named = (c: Cond | undefined): number[] => {
    const out: number[] = [];
    const walk = (x: Cond): void => {
      if (x.kind === 'stage') out.push(stageIndex.get(x.id)!);
      else if (x.kind === 'all' || x.kind === 'any') x.items.forEach(walk);
      else if (x.kind === 'not') walk(x.item);
    };
    if (c) walk(c);
    return out;
  };
  const order: number[] = [];
  const seen = new Set<number>();
  // The loader has refused cycles, so this ends; an explicit stack, as chains can be long.
  const visit = (root: number): void => {
    const stack: { i: number; deps: number[]; at: number }[] = [];
    const push = (i: number): void => {
      seen.add(i);
      stack.push({ i, deps: named(rules.stages[i]!.when), at: 0 });
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

export function compileSql(rules: Rules, d: Dialect, o: SqlOptions): string {
  const plan = planActivities(rules, o.asOf);
  const asOf = String(o.asOf);
  const tz = rules.activities.timezone;
  const key = rules.contacts.key;
  if (key === undefined) throw new SqlCompileError('funnel sql needs contacts.key in the rules', {}, 'name the column that joins contacts and activities');
  const keyExpr = (e: string): string => (rules.contacts.normalize === 'email' ? `COALESCE(lower(${trim(d, e)}), '')` : `COALESCE(${e}, '')`);
  const hasActivities = plan.counters.length > 0 || plan.signals.length > 0;
  const a = rules.activities;
  if (hasActivities && !o.activitiesTable) throw new SqlCompileError('the rules read activities: give --activities-table', {}, 'funnel sql --activities-table activities');
  if (hasActivities && (a.type === undefined || a.time === undefined)) throw new SqlCompileError('funnel sql needs activities.type and activities.time in the rules', {}, 'the warehouse table has no header to guess them from');
  const col = (name: string): string => `c.${d.ident(rules.fields.get(name) ?? name)}`;
  const usesDateFields = allConditions(rules).some((c) => c.kind === 'field' && c.ops.some(isDateOp));
  const contactDateColumns = dateColumnsOf(rules);

  const ctes: string[] = [];
  // Activities: signal and time per row; as-of filter; date order decided on the whole table (auto).
  if (hasActivities) {
    const labelFold = fold(d, `CAST(${d.ident(a.type!)} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`);
    const mapped = [...a.types].filter(([, sig]) => plan.signals.includes(sig));
    const signal = mapped.length
      ? `CASE ${labelFold}\n${mapped.map(([label, sig]) => `      WHEN ${d.str(label)} THEN ${d.str(sig)}`).join('\n')}\n      ELSE ${snake(d, d.ident(a.type!))}\n    END`
      : snake(d, d.ident(a.type!));
    const timeText = trim(d, `CAST(${d.ident(a.time!)} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`);
    const order = a.dateOrder === 'auto' ? '(SELECT date_order FROM activity_date_order)' : d.str(a.dateOrder);
    const parts = columnParts('time_text', 'time');
    ctes.push(`activity_trimmed AS (
  SELECT ${keyExpr(`CAST(${d.ident(a.key ?? key)} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`)} AS k,
    ${signal} AS signal,
    ${timeText} AS time_text
  FROM ${tableRef(d, o.activitiesTable!)}
)`);
    ctes.push(`activity_text AS (
  -- key, signal and the pieces of the date text, each read once
  SELECT k, signal, time_text,
    ${partsColumns(d, 'time_text', 'time').join(',\n    ')}
  FROM activity_trimmed
)`);
    if (a.dateOrder === 'auto') {
      ctes.push(`activity_date_order AS (
  -- slash dates: day-first or month-first, decided by the values with a part above 12, as the CLI does per file
  SELECT CASE WHEN ${d.countIf(`${slashOrderHint(parts)} = 'dmy'`)} > 0 THEN 'dmy' WHEN ${d.countIf(`${slashOrderHint(parts)} = 'mdy'`)} > 0 THEN 'mdy' END AS date_order
  FROM activity_text
)`);
    }
    ctes.push(`activity_rows AS (
  SELECT k, signal,
    ${date(d, parts, tz, order)} AS t
  FROM activity_text
)`);
    const counters = plan.counters.map((c, i) => {
      const inSignals = `signal IN (${c.signals.map((s) => d.str(s)).join(', ')})`;
      const window = c.from === undefined ? '' : ` AND t >= ${c.from}`;
      return `    ${d.countIf(`${inSignals}${window}`)} AS n${i}`;
    });
    const points = [...rules.scoring.points].filter(([, p]) => p !== 0);
    const pointsExpr = points.length ? `CASE signal ${points.map(([s, p]) => `WHEN ${d.str(s)} THEN ${String(p)}`).join(' ')} ELSE 0 END` : '0';
    const hl = rules.scoring.halfLifeMs;
    const score = hl === undefined ? `sum(${pointsExpr})` : `sum(CASE WHEN t IS NOT NULL THEN (${pointsExpr}) * ${d.pow('0.5', `(${asOf} - t) / ${hl}`)} ELSE 0 END)`;
    ctes.push(`aggregates AS (
  -- per key: the counters the activity conditions test, and the engagement score decayed to as-of
  SELECT k,
${counters.length ? `${counters.join(',\n')},\n` : ''}    ${score} AS score
  FROM activity_rows
  WHERE k <> '' AND (t IS NULL OR t <= ${asOf})
  GROUP BY k
)`);
  }
  if (usesDateFields && a.dateOrder === 'auto') {
    const hints = contactDateColumns.map((c) => slashOrderHint(inlineParts(d, `CAST(${d.ident(c)} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`)));
    ctes.push(`contact_date_order AS (
  SELECT CASE WHEN ${hints.map((h) => `${d.countIf(`${h} = 'dmy'`)} > 0`).join(' OR ')} THEN 'dmy' WHEN ${hints.map((h) => `${d.countIf(`${h} = 'mdy'`)} > 0`).join(' OR ')} THEN 'mdy' END AS date_order
  FROM ${tableRef(d, o.contactsTable)}
)`);
  }
  const contactOrder = a.dateOrder === 'auto' ? '(SELECT date_order FROM contact_date_order)' : d.str(a.dateOrder);

  // Conditions, as SQL boolean expressions over the row alias c (contact columns plus __n*, __score, __fit…).
  const stageIndex = new Map(rules.stages.map((s, i) => [s.id, i]));
  const cond = (x: Cond): string => {
    switch (x.kind) {
      case 'all':
        return `(${x.items.map(cond).join(' AND ')})`;
      case 'any':
        return `(${x.items.map(cond).join(' OR ')})`;
      case 'not':
        return `(NOT ${cond(x.item)})`;
      case 'field':
        return `(${x.ops.map((op) => fieldOp(col(x.field), op)).join(' AND ')})`;
      case 'activity': {
        const n = `c.__n${plan.counterOf.get(x)!}`;
        const parts = [x.count.gte !== undefined ? `${n} >= ${x.count.gte}` : '', x.count.lte !== undefined ? `${n} <= ${x.count.lte}` : ''].filter(Boolean);
        return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
      }
      case 'score':
        return cmps('c.__score', x.cmps);
      case 'fit':
        return cmps('c.__fit', x.cmps);
      case 'persona':
        return x.value ? 'c.__persona' : '(NOT c.__persona)';
      case 'consent':
        return x.value ? 'c.__consent' : '(NOT c.__consent)';
      case 'stage':
        return `c.__st${stageIndex.get(x.id)!}`;
    }
  };
  const cmps = (e: string, cs: NumCmp[]): string => `(${cs.map((c) => `${e} ${SYM[c.op]} ${String(c.value)}`).join(' AND ')})`;
  const empty = (e: string): string => `(COALESCE(${trim(d, `CAST(${e} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`)}, '') = '')`;
  const text = (e: string): string => `CAST(${e} AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'})`;
  const eq = (e: string, x: Scalar): string => {
    const t = d.str(norm(String(x)));
    if (typeof x !== 'number') return `(${fold(d, text(e))} = ${t})`;
    const n = number(d, text(e));
    return `(CASE WHEN ${n} IS NOT NULL THEN ${n} = ${x} ELSE ${fold(d, text(e))} = ${t} END)`;
  };
  const fieldOp = (e: string, op: FieldOp): string => {
    const present = `(NOT ${empty(e)})`;
    switch (op.op) {
      case 'equals':
        return `(${present} AND ${eq(e, op.value)})`;
      case 'not_equals':
        return `(${empty(e)} OR NOT ${eq(e, op.value)})`;
      case 'in':
        return `(${present} AND (${op.values.map((v) => eq(e, v)).join(' OR ')}))`;
      case 'not_in':
        return `(${empty(e)} OR NOT (${op.values.map((v) => eq(e, v)).join(' OR ')}))`;
      case 'contains':
        return `(${present} AND strpos(${fold(d, text(e))}, ${d.str(norm(String(op.value)))}) > 0)`;
      case 'matches': {
        const problem = d.regexProblem(op.source);
        if (problem) throw new SqlCompileError(`matches /${op.source}/ uses ${problem}, which ${d.name} cannot express`, {}, 'rewrite the regular expression without it, or classify with the CLI');
        return `(${present} AND ${d.search(trim(d, text(e)), d.userRegex(op.source), true)})`;
      }
      case 'present':
        return op.value ? present : empty(e);
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const v = op.date !== undefined ? date(d, inlineParts(d, text(e)), tz, contactOrder) : number(d, text(e));
        return `(${present} AND COALESCE(${v} ${SYM[op.op]} ${op.value}, FALSE))`;
      }
      case 'before':
      case 'after':
        return `(${present} AND COALESCE(${date(d, inlineParts(d, text(e)), tz, contactOrder)} ${op.op === 'before' ? '<' : '>'} ${op.value}, FALSE))`;
      case 'within': {
        const t = date(d, inlineParts(d, text(e)), tz, contactOrder);
        return `(${present} AND COALESCE(${t} BETWEEN ${o.asOf - op.ms} AND ${asOf}, FALSE))`;
      }
      case 'domain_in': {
        const dom = domain(d, text(e));
        const alts = op.values.map((w) => {
          const ww = String(w).trim().toLowerCase().replace(/^@/, '');
          return `${dom} = ${d.str(ww)} OR ${d.endsWith(dom, d.str(`.${ww}`))}`;
        });
        return `(${present} AND (${alts.join(' OR ')}))`;
      }
    }
  };

  const internal: string[] = ['__key', '__row'];
  const counters = plan.counters.map((_, i) => `__n${i}`);
  internal.push(...counters, '__score', '__dups');
  ctes.push(`contacts AS (
  SELECT ${d.keepRow.select('c')}, ${keyExpr(text(`c.${d.ident(key)}`))} AS __key, ${d.rowNumber()} AS __row
  FROM ${tableRef(d, o.contactsTable)} c
)`);
  ctes.push(`joined AS (
  SELECT c.*,
${plan.counters.map((_, i) => `    COALESCE(a.n${i}, 0) AS __n${i},`).join('\n')}${plan.counters.length ? '\n' : ''}    COALESCE(${hasActivities ? 'a.score' : 'NULL'}, 0) AS __score,
    count(*) OVER (PARTITION BY c.__key) AS __dups
  FROM contacts c${hasActivities ? `\n  LEFT JOIN aggregates a ON a.k = c.__key` : ''}
)`);
  const fit = rules.scoring.fit.length ? rules.scoring.fit.map((f) => `CASE WHEN ${cond(f.when)} THEN ${String(f.points)} ELSE 0 END`).join('\n      + ') : '0';
  internal.push('__fit');
  ctes.push(`fit AS (
  SELECT c.*, ${fit} AS __fit
  FROM joined c
)`);
  internal.push('__consent', '__persona');
  ctes.push(`consent AS (
  SELECT c.*, COALESCE(${rules.consent ? cond(rules.consent.when) : 'TRUE'}, FALSE) AS __consent
  FROM fit c
)`);
  ctes.push(`persona AS (
  SELECT c.*, COALESCE(${rules.persona ? cond(rules.persona) : 'TRUE'}, FALSE) AS __persona
  FROM consent c
)`);
  // Each stage that a `stage:` reference names, computed once as a column, after the stages it names: inlining
  // its condition at every reference would repeat it once per path (exponential for chains of references).
  let from = 'persona';
  for (const i of referencedStages(rules, stageIndex)) {
    const when = rules.stages[i]!.when;
    internal.push(`__st${i}`);
    ctes.push(`stage_${i} AS (
  SELECT c.*, COALESCE(${when ? cond(when) : 'TRUE'}, FALSE) AS __st${i}
  FROM ${from} c
)`);
    from = `stage_${i}`;
  }
  const stageHolds = (i: number): string => {
    const when = rules.stages[i]!.when;
    if (internal.includes(`__st${i}`)) return `c.__st${i}`;
    return when ? `COALESCE(${cond(when)}, FALSE)` : 'TRUE';
  };
  internal.push('__disq', '__stage');
  const disq = rules.disqualify.length ? `CASE ${rules.disqualify.map((q) => `WHEN COALESCE(${cond(q.when)}, FALSE) THEN ${d.str(q.id)}`).join('\n      ')} END` : 'NULL';
  const stageCase = rules.stages
    .map((s, i) => ({ s, i }))
    .slice(1)
    .reverse()
    .map(({ i }) => `WHEN ${stageHolds(i)} THEN ${i}`)
    .join('\n      ');
  ctes.push(`staged AS (
  -- disqualification first (the first rule that holds), then the most mature stage whose condition holds
  SELECT c.*,
    ${disq} AS __disq,
    ${stageCase ? `CASE ${stageCase}\n      ELSE 0 END` : '0'} AS __stage
  FROM ${from} c
)`);

  const p = o.prefix;
  const byStage = (f: (s: Rules['stages'][number]) => string): string => `CASE c.__stage ${rules.stages.map((s, i) => `WHEN ${i} THEN ${d.str(f(s))}`).join(' ')} END`;
  const consentAction = rules.consent ? rules.consent.action : DEFAULT_CONSENT_ACTION;
  const needsConsent = rules.stages.map((s, i) => (s.needsConsent ? i : -1)).filter((i) => i >= 0);
  const disqAction = (f: (q: Rules['disqualify'][number]) => string): string =>
    rules.disqualify.length ? `CASE c.__disq ${rules.disqualify.map((q) => `WHEN ${d.str(q.id)} THEN ${d.str(f(q))}`).join(' ')} END` : 'NULL';
  const select = [
    `    ${d.keepRow.output('c', internal)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN 'disqualified' ELSE ${byStage((s) => s.id)} END AS ${d.ident(`${p}stage`)}`,
    `    ${d.round1('c.__score')} AS ${d.ident(`${p}score`)}`,
    `    c.__fit AS ${d.ident(`${p}fit`)}`,
    `    CASE WHEN c.__persona THEN 'yes' ELSE 'no' END AS ${d.ident(`${p}persona`)}`,
    `    CASE WHEN c.__consent THEN 'yes' ELSE 'no' END AS ${d.ident(`${p}contactable`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${disqAction((q) => q.content ?? 'none')} ELSE ${byStage((s) => s.content)} END AS ${d.ident(`${p}content`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${disqAction((q) => q.action ?? 'exclude')}${rules.consent && needsConsent.length ? ` WHEN NOT c.__consent AND c.__stage IN (${needsConsent.join(', ')}) THEN ${d.str(consentAction)}` : ''} ELSE ${byStage((s) => s.action)} END AS ${d.ident(`${p}action`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN 'disqualified: ' || c.__disq ELSE ${byStage((s) => (s === rules.stages[0] ? `${s.id}: no rule of a later stage holds` : `${s.id}: the rule of stage ${s.id} holds`))} END AS ${d.ident(`${p}reason`)}`,
    `    CASE WHEN c.__key = '' THEN 'empty key' WHEN c.__dups > 1 THEN 'duplicate key: ' || CAST(c.__dups AS ${d.name === 'bigquery' ? 'STRING' : 'VARCHAR'}) || ' rows' ELSE '' END AS ${d.ident(`${p}warnings`)}`,
  ];
  return `-- funnel sql (${d.name}) — rules: ${commentText(rules.source)}, as of ${isoTime(o.asOf)}
WITH
${ctes.map((c) => `${c}`).join(',\n')}
SELECT
${select.join(',\n')}
FROM staged c
ORDER BY c.__row;
`;
}
