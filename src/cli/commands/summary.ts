/** `funnel summary`: the summary of an annotated file, as classify prints it. */
import { Option, type Command } from 'commander';
import { prefixOption, rulesOption, runOf, type RunFlags } from '../options.js';
import type { CliContext } from '../session.js';

interface SummaryFlags extends RunFlags {
  format: 'table' | 'json';
  prefix: string;
  by?: string;
}

export function registerSummary(program: Command, ctx: CliContext): void {
  program
    .command('summary')
    .description('the funnel summary of an annotated file written by classify')
    .argument('<annotated>', 'annotated contacts (CSV, JSON, NDJSON); - for standard input')
    .addOption(rulesOption('rules giving the stage order (default: as classify finds them)'))
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .addOption(prefixOption('prefix of the funnel columns'))
    .option('--by <field>', 'break the summary down by the values of a field (friendly name or column): the 20 largest, (other), (none)')
    .action(async (file: string, o: SummaryFlags) => {
      const s = ctx.session();
      const { term } = ctx;
      const { rules } = await runOf(o, term);
      // The table's module (and cli-table3) only for a table.
      const [{ summarize }, render] = await Promise.all([import('../../commands/summary.js'), o.format === 'json' ? import('../../output/summary-json.js') : import('../../output/summary-render.js')]);
      const summary = await summarize({ file, rules, prefix: o.prefix, cwd: term.cwd, by: o.by }, { stdin: term.stdin, warn: s.warn });
      term.stdout.write('renderSummaryJson' in render ? render.renderSummaryJson(summary) : render.renderSummaryTable(summary, s.out));
    });
}
