/**
 * The activity CTEs, the SQL side of the fold (src/aggregate/): each row's key, signal and time, the as-of
 * filter, and per key the counters the `activity` conditions test and the decayed engagement score.
 */
import { keyOf, tableRef, type SqlEnv } from './env.js';
import { asText, columnParts, date, fold, partsColumns, slashOrderHint, snake, trim } from './values.js';

/** Each activity row: its key, its signal (the rules' label map, else the label snake_cased) and its time text. */
function trimmedRows(env: SqlEnv): string {
  const { d, rules } = env;
  const a = rules.activities;
  const labelFold = fold(d, asText(d, d.ident(a.type!)));
  const mapped = [...a.types].filter(([, sig]) => env.plan.signals.includes(sig));
  const signal = mapped.length
    ? `CASE ${labelFold}\n${mapped.map(([label, sig]) => `      WHEN ${d.str(label)} THEN ${d.str(sig)}`).join('\n')}\n      ELSE ${snake(d, d.ident(a.type!))}\n    END`
    : snake(d, d.ident(a.type!));
  return `activity_trimmed AS (
  SELECT ${keyOf(env, d.ident(a.key ?? env.key))} AS k,
    ${signal} AS signal,
    ${trim(d, asText(d, d.ident(a.time!)))} AS time_text
  FROM ${tableRef(d, env.o.activitiesTable!)}
)`;
}

/** The per-key aggregates: a count per counter of the plan (signals × window), and the score. */
function aggregates(env: SqlEnv): string {
  const { d, rules, plan } = env;
  const counters = plan.counters.map((c, i) => {
    const inSignals = `signal IN (${c.signals.map((s) => d.str(s)).join(', ')})`;
    const window = c.from === undefined ? '' : ` AND t >= ${c.from}`;
    return `    ${d.countIf(`${inSignals}${window}`)} AS n${i}`;
  });
  const points = [...rules.scoring.points].filter(([, p]) => p !== 0);
  const pointsExpr = points.length ? `CASE signal ${points.map(([s, p]) => `WHEN ${d.str(s)} THEN ${String(p)}`).join(' ')} ELSE 0 END` : '0';
  const hl = rules.scoring.halfLifeMs;
  const asOf = String(env.o.asOf);
  const score = hl === undefined ? `sum(${pointsExpr})` : `sum(CASE WHEN t IS NOT NULL THEN (${pointsExpr}) * ${d.pow('0.5', `(${asOf} - t) / ${hl}`)} ELSE 0 END)`;
  return `aggregates AS (
  -- per key: the counters the activity conditions test, and the engagement score decayed to as-of
  SELECT k,
${counters.length ? `${counters.join(',\n')},\n` : ''}    ${score} AS score
  FROM activity_rows
  WHERE k <> '' AND (t IS NULL OR t <= ${asOf})
  GROUP BY k
)`;
}

/** Activities: signal and time per row; as-of filter; date order decided on the whole table (auto). */
export function activityCtes(env: SqlEnv): string[] {
  const { d } = env;
  const a = env.rules.activities;
  const order = a.dateOrder === 'auto' ? '(SELECT date_order FROM activity_date_order)' : d.str(a.dateOrder);
  const parts = columnParts('time_text', 'time');
  const ctes = [trimmedRows(env)];
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
    ${date(d, parts, a.timezone, order)} AS t
  FROM activity_text
)`);
  ctes.push(aggregates(env));
  return ctes;
}
