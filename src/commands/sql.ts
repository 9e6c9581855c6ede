/** `funnel sql`: the rules as one SQL statement for DuckDB, PostgreSQL or BigQuery. */
import { UsageError } from '../errors.js';
import { parseAsOf } from '../values/dates.js';
import { DIALECTS, type DialectName } from '../sql/dialect.js';
import { compileSql } from '../sql/compile.js';
import { loadRules, formatProblem } from './rules-source.js';

export interface SqlCommandOptions {
  rules?: string;
  dialect: string;
  contactsTable: string;
  activitiesTable?: string;
  asOf?: string;
  prefix: string;
  cwd: string;
}

export function sql(opts: SqlCommandOptions, io: { warn(m: string): void; note(m: string): void; now?: () => number }): string {
  const dialect = DIALECTS[opts.dialect as DialectName];
  if (!dialect) throw new UsageError(`unknown dialect '${opts.dialect}'`, {}, 'use duckdb, postgres or bigquery');
  const loaded = loadRules(opts.rules, opts.cwd);
  io.note(`rules: ${loaded.source}`);
  for (const w of loaded.warnings) io.warn(formatProblem(w));
  const withSla = loaded.rules.stages.filter((s) => s.sla).map((s) => s.id);
  // SPEC §7: SQL does not replay the activity log; it gives the stage classify gives without --stage-dates.
  if (withSla.length) io.note(`the sla of ${withSla.join(', ')} is ignored: funnel sql does not replay the activities (no stage dates, no funnel_sla)`);
  const asOf = opts.asOf !== undefined ? parseAsOf(opts.asOf, loaded.rules.activities.timezone) : (io.now ?? Date.now)();
  return compileSql(loaded.rules, dialect, { contactsTable: opts.contactsTable, activitiesTable: opts.activitiesTable, asOf, prefix: opts.prefix });
}
