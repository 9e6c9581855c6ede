/**
 * `funnel sql`: the rules compiled into one SQL statement with the same semantics as `funnel classify`, so the
 * classification runs where the data lives. CTEs, in the order of the CLI's pipeline: activities with their
 * signal and time (./activities.ts), per-key aggregates, contacts with fit, persona, consent, disqualification
 * and stage (./contacts.ts, over ./conditions.ts and ./fields.ts), then the funnel columns (./select.ts).
 */
import { planActivities } from '../aggregate/plan.js';
import type { Rules } from '../rules/model.js';
import { isoTime } from '../values/dates.js';
import { activityCtes } from './activities.js';
import { contactCtes, contactDateOrderCte } from './contacts.js';
import type { Dialect } from './dialect.js';
import { SqlCompileError, type SqlEnv, type SqlOptions } from './env.js';
import { selectList } from './select.js';

export { SqlCompileError, type SqlOptions } from './env.js';

/**
 * Text for a `--` comment: a line break in it (a rules path may hold one) would end the comment and let the
 * rest run as SQL, so line breaks and every other control character are written as escapes.
 */
function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The environment of the query's parts, once the rules name what SQL needs (a table has no header to guess from). */
function sqlEnv(rules: Rules, d: Dialect, o: SqlOptions): SqlEnv {
  const plan = planActivities(rules, o.asOf);
  const key = rules.contacts.key;
  if (key === undefined) throw new SqlCompileError('funnel sql needs contacts.key in the rules', {}, 'name the column that joins contacts and activities');
  const hasActivities = plan.counters.length > 0 || plan.signals.length > 0;
  const a = rules.activities;
  if (hasActivities && !o.activitiesTable) throw new SqlCompileError('the rules read activities: give --activities-table', {}, 'funnel sql --activities-table activities');
  if (hasActivities && (a.type === undefined || a.time === undefined)) throw new SqlCompileError('funnel sql needs activities.type and activities.time in the rules', {}, 'the warehouse table has no header to guess them from');
  return { d, rules, plan, o, hasActivities, key, stageIndex: new Map(rules.stages.map((s, i) => [s.id, i])) };
}

export function compileSql(rules: Rules, d: Dialect, o: SqlOptions): string {
  const env = sqlEnv(rules, d, o);
  const ctes = env.hasActivities ? activityCtes(env) : [];
  ctes.push(...contactDateOrderCte(env));
  const contacts = contactCtes(env);
  ctes.push(...contacts.ctes);
  return `-- funnel sql (${d.name}) — rules: ${commentText(rules.source)}, as of ${isoTime(o.asOf)}
WITH
${ctes.join(',\n')}
SELECT
${selectList(env, contacts.internal).join(',\n')}
FROM staged c
ORDER BY c.__row;
`;
}
