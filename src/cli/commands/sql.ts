/** `funnel sql`: the rules compiled to one query, on stdout or in a file. */
import { Option, type Command } from 'commander';
import { outputEnv, parseWait } from '../output-env.js';
import { asOfOption, prefixOption, rulesOption, runOf, waitOption, type RunFlags } from '../options.js';
import type { CliContext } from '../session.js';

interface SqlFlags extends RunFlags {
  dialect: string;
  contactsTable: string;
  activitiesTable: string;
  output?: string;
  prefix: string;
  wait?: string;
}

export function registerSql(program: Command, ctx: CliContext): void {
  program
    .command('sql')
    .description('compile the rules into one SQL query for DuckDB, PostgreSQL or BigQuery')
    .addOption(rulesOption())
    .addOption(new Option('--dialect <dialect>', 'SQL dialect').choices(['duckdb', 'postgres', 'bigquery']).default('duckdb'))
    .option('--contacts-table <table>', 'the contacts table', 'contacts')
    .option('--activities-table <table>', 'the activities table', 'activities')
    .addOption(asOfOption('reference time (default: now), written into the query'))
    .option('-o, --output <file>', 'write the query to a file instead of stdout')
    .addOption(prefixOption('prefix of the added columns'))
    .addOption(waitOption('when another run is writing the same -o file, wait for it this long (default 0)'))
    .action(async (o: SqlFlags) => {
      const s = ctx.session();
      const { term } = ctx;
      const setup = await runOf(o, term);
      const { sql } = await import('../../commands/sql.js');
      const text = sql({ ...setup, dialect: o.dialect, contactsTable: o.contactsTable, activitiesTable: o.activitiesTable, prefix: o.prefix }, { warn: s.warn, note: s.note });
      if (o.output === undefined || o.output === '-') term.stdout.write(text);
      else await (await import('../../output/commit.js')).writeOutputFile(outputEnv(term, parseWait(o.wait)), o.output, '-o', text, [{ path: setup.rules.path, role: 'the rules file' }]);
    });
}
