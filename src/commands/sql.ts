/** `funnel sql`: the rules as one SQL statement for DuckDB, PostgreSQL or BigQuery. */
import { UsageError } from '../errors.js';
import { DIALECTS, type DialectName } from '../sql/dialect.js';
import { compileSql } from '../sql/compile.js';
import { formatProblem } from './rules-source.js';
import type { RunSetup } from './run-setup.js';

/** The rules and the as-of come resolved (run-setup.ts). */
export interface SqlCommandOptions extends RunSetup {
  dialect: string;
  contactsTable: string;
  activitiesTable?: string;
  prefix: string;
}

export function sql(opts: SqlCommandOptions, io: { warn(m: string): void; note(m: string): void }): string {
  const dialect = DIALECTS[opts.dialect as DialectName];
  if (!dialect) throw new UsageError(`unknown dialect '${opts.dialect}'`, {}, 'use duckdb, postgres or bigquery');
  const loaded = opts.rules;
  io.note(`rules: ${loaded.source}`);
  for (const w of loaded.warnings) io.warn(formatProblem(w));
  const withSla = loaded.rules.stages.filter((s) => s.sla).map((s) => s.id);
  // SPEC §7: SQL does not replay the activity log; it gives the stage classify gives without --stage-dates.
  if (withSla.length) io.note(`the sla of ${withSla.join(', ')} is ignored: funnel sql does not replay the activities (no stage dates, no funnel_sla)`);
  return compileSql(loaded.rules, dialect, { contactsTable: opts.contactsTable, activitiesTable: opts.activitiesTable, asOf: opts.asOf, prefix: opts.prefix });
}
