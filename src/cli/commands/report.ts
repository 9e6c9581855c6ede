/** `funnel report`: one HTML page from summary and history JSON (the renderer and ECharts loaded only here). */
import type { Command } from 'commander';
import { outputEnv, parseWait } from '../output-env.js';
import { waitOption } from '../options.js';
import type { CliContext } from '../session.js';

interface ReportFlags {
  output: string;
  title?: string;
  wait?: string;
}

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('one self-contained HTML page (charts and tables, no script, no network) from summary and history JSON')
    .argument('<files...>', "JSON written by 'classify --summary-file' or 'history --format json'; several summaries give a trend over runs")
    .requiredOption('-o, --output <file>', 'the HTML file to write; - for standard output')
    .option('--title <text>', 'the title of the page (default: Funnel report)')
    .addOption(waitOption('when another run is writing the same -o file, wait for it this long (default 0)'))
    .action(async (files: string[], o: ReportFlags) => {
      const { term } = ctx;
      const { report } = await import('../../commands/report.js');
      await report({ files, output: o.output, title: o.title, cwd: term.cwd }, { stdin: term.stdin, stdout: term.stdout, outputs: outputEnv(term, parseWait(o.wait)) });
    });
}
