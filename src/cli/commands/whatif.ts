/** `funnel whatif`: one export under two rule sets; the report on stdout, or stderr when the moved rows go there. */
import { Option, type Command } from 'commander';
import { outputEnv, parseWait } from '../output-env.js';
import { activitiesOption, asOfOption, prefixOption, waitOption } from '../options.js';
import { readOptions, reading, type ReadFlags } from '../read-options.js';
import type { CliContext } from '../session.js';

interface WhatifFlags extends ReadFlags {
  activities?: string[];
  moved?: string;
  format: 'table' | 'json';
  asOf?: string;
  prefix: string;
  wait?: string;
}

export function registerWhatif(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('whatif')
    .description('classify one export under two rule sets in one pass: who moves between stages, and what changes')
    .argument('<before>', 'the current rules')
    .argument('<after>', 'the changed rules')
    .argument('<contacts...>', 'contact exports; - for standard input')
    .addOption(activitiesOption())
    .option('--moved <file>', 'write the contacts whose stage changes: the row annotated under the after rules, then funnel_stage_before and funnel_reason_before (CSV; - for stdout)')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .addOption(asOfOption('reference time for windows and decay (default: now)'))
    .addOption(waitOption('when another run is writing the same --moved file, wait for it this long (default 0)'));
  readOptions(cmd, { threads: 'threads for folding each activities file and classifying one contacts file, as classify (default: the cores, up to 4)', encoding: 'input encoding (WHATWG label); default: detected', delimiter: 'input CSV delimiter; default: sniffed', header: 'CSV inputs have no header row; columns are named 1..N', parser: true })
    .addOption(prefixOption('prefix of the added columns'))
    .action(async (before: string, after: string, contacts: string[], o: WhatifFlags) => {
      const s = ctx.session();
      const { term } = ctx;
      const read = reading(o);
      const [{ whatif }, { renderWhatifJson, renderWhatifText }] = await Promise.all([import('../../commands/whatif.js'), import('../../output/whatif-render.js')]);
      // Two rule sets: whatif loads both itself, and reads --as-of in the after rules' timezone.
      const r = await whatif(
        { ...read, before, after, contacts, activities: o.activities ?? [], asOf: o.asOf, moved: o.moved, prefix: o.prefix, cwd: term.cwd },
        { stdin: term.stdin, stdout: term.stdout, warn: s.warn, note: s.note, progress: s.progress, outputs: outputEnv(term, parseWait(o.wait)) },
      );
      s.endProgress();
      // With the moved rows on stdout, the report goes to stderr.
      const stream = o.moved === '-' ? term.stderr : term.stdout;
      if (o.format === 'json') stream.write(renderWhatifJson(r));
      else if (!s.opts.quiet || o.moved !== '-') stream.write(renderWhatifText(r, o.moved === '-' ? s.err : s.out));
    });
}
