/** `funnel report`: one HTML page from summary and history JSON (the renderer and ECharts loaded only here). */
import type { Command } from 'commander';
import { outputEnv } from '../output-env.js';
import type { CliContext } from '../session.js';

interface ReportFlags {
  output: string;
  title?: string;
}

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('one self-contained HTML page (charts and tables, no script, no network) from summary and history JSON')
    .argument('<files...>', "JSON written by 'classify --summary-file' or 'history --format json'; several summaries give a trend over runs")
    .requiredOption('-o, --output <file>', 'the HTML file to write; - for standard output')
    .option('--title <text>', 'the title of the page (default: Funnel report)')
    .action(async (files: string[], o: ReportFlags) => {
      const { term } = ctx;
      const { report } = await import('../../commands/report.js');
      await report({ files, output: o.output, title: o.title, cwd: term.cwd }, { stdin: term.stdin, stdout: term.stdout, outputs: outputEnv(term) });
    });
}
