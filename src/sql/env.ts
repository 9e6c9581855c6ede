/** What every part of the compiled query reads: the options, the rules with their plan, and the dialect. */
import { UsageError } from '../errors.js';
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Rules } from '../rules/model.js';
import type { Dialect } from './dialect.js';
import { asText, trim } from './values.js';

export interface SqlOptions {
  contactsTable: string;
  activitiesTable?: string;
  asOf: number;
  prefix: string;
}

/** A rule the dialect cannot express: exit 2 with the atom and the dialect named. */
export class SqlCompileError extends UsageError {}

export interface SqlEnv {
  d: Dialect;
  rules: Rules;
  plan: ActivityPlan;
  o: SqlOptions;
  /** The rules read activities: the query has the activity CTEs and joins their aggregates. */
  hasActivities: boolean;
  /** `contacts.key`, which funnel sql requires (a table has no header to guess it from). */
  key: string;
  /** Stage id → index in rules.stages. */
  stageIndex: Map<string, number>;
}

/** A key as normalizeKey gives it (trimmed and lowercased for emails), '' when missing. */
export function keyExpr(env: SqlEnv, e: string): string {
  return env.rules.contacts.normalize === 'email' ? `COALESCE(lower(${trim(env.d, e)}), '')` : `COALESCE(${e}, '')`;
}

/** A key column read as text. */
export function keyOf(env: SqlEnv, e: string): string {
  return keyExpr(env, asText(env.d, e));
}

/** A table name as given: `schema.table` is quoted part by part. */
export function tableRef(d: Dialect, name: string): string {
  return name
    .split('.')
    .map((p) => d.ident(p))
    .join('.');
}

/** The expression that gives the slash-date order of contact fields: decided over the table, or as the rules say. */
export function contactOrder(env: SqlEnv): string {
  return env.rules.activities.dateOrder === 'auto' ? '(SELECT date_order FROM contact_date_order)' : env.d.str(env.rules.activities.dateOrder);
}
