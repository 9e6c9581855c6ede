/** The commands that treat the rules as code: `funnel test`, `funnel whatif`, `funnel schema`. */
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { runTests } from '../commands/test.js';
import { discoverRules } from '../commands/rules-source.js';
import { schemaText } from '../commands/schema.js';
import { whatif, type WhatifOptions } from '../commands/whatif.js';
import { checkReadOptions } from './read-options.js';
import { renderTestJson, renderTestText } from '../output/test-render.js';
import { renderWhatifJson, renderWhatifText } from '../output/whatif-render.js';
import { DEFAULT_MAX_THREADS, type Session } from './cli.js';
import type { Terminal } from './io.js';
import { outputEnv } from './output-env.js';

export function registerRulesAsCode(program: Command, term: Terminal, session: () => Session, done: (code: number) => void): void {
  program
    .command('test')
    .description('run the cases of a cases file through the rules: each case passes or says what came instead')
    .argument('[files...]', 'the rules file and cases files, told apart by content (default: the rules as classify finds them, and funnel.test.yaml beside them)')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (files: string[], o: Record<string, unknown>) => {
      const s = session();
      const report = await runTests({ files, cwd: term.cwd, discovered: discoverRules(term.cwd, term.env) }, { stdin: term.stdin, warn: s.warn, note: s.note });
      term.stdout.write(o.format === 'json' ? renderTestJson(report) : renderTestText(report, s.out));
      done(report.failed ? 1 : 0);
    });

  program
    .command('whatif')
    .description('classify one export under two rule sets in one pass: who moves between stages, and what changes')
    .argument('<before>', 'the current rules')
    .argument('<after>', 'the changed rules')
    .argument('<contacts...>', 'contact exports; - for standard input')
    .option('-a, --activities <files...>', 'activity exports, one row per event')
    .option('--moved <file>', 'write the contacts whose stage changes: the row annotated under the after rules, then funnel_stage_before and funnel_reason_before (CSV; - for stdout)')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--as-of <date>', 'reference time for windows and decay (default: now)')
    .option('--threads <n>', 'threads for folding each activities file, as classify (default: the cores, up to 4)')
    .option('--encoding <label>', 'input encoding (WHATWG label); default: detected')
    .option('--delimiter <char>', 'input CSV delimiter; default: sniffed')
    .option('--no-header', 'CSV inputs have no header row; columns are named 1..N')
    .option('--prefix <prefix>', 'prefix of the added columns', 'funnel_')
    .addOption(new Option('--min-range-bytes <n>').hideHelp())
    .addOption(new Option('--parser <parser>').choices(['fast', 'csv-parse']).hideHelp())
    .action(async (before: string, after: string, contacts: string[], o: Record<string, unknown>) => {
      const s = session();
      const { delimiter } = checkReadOptions(o);
      const moved = o.moved as string | undefined;
      const r = await whatif(
        {
          before,
          after,
          contacts,
          activities: (o.activities as string[] | undefined) ?? [],
          asOf: o.asOf as string | undefined,
          moved,
          prefix: String(o.prefix),
          encoding: o.encoding as string | undefined,
          delimiter,
          noHeader: o.header === false,
          cwd: term.cwd,
          threads: o.threads === undefined ? Math.min(availableParallelism(), DEFAULT_MAX_THREADS) : Number(o.threads),
          minRangeBytes: o.minRangeBytes === undefined ? undefined : Number(o.minRangeBytes),
          parser: o.parser as WhatifOptions['parser'],
        },
        { stdin: term.stdin, stdout: term.stdout, warn: s.warn, note: s.note, progress: s.progress, outputs: outputEnv(term) },
      );
      s.endProgress();
      // With the moved rows on stdout, the report goes to stderr.
      const stream = moved === '-' ? term.stderr : term.stdout;
      if (o.format === 'json') stream.write(renderWhatifJson(r));
      else if (!s.opts.quiet || moved !== '-') stream.write(renderWhatifText(r, moved === '-' ? s.err : s.out));
    });

  program
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of the rules file, for editors (yaml-language-server) and CI')
    .option('--cases', 'the schema of a cases file of funnel test instead')
    .action((o: Record<string, unknown>) => {
      term.stdout.write(schemaText(o.cases ? 'cases' : 'rules'));
    });
}
