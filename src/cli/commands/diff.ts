/** `funnel diff`: who moved between two annotated files; the matrix on stdout, or stderr when the moved rows go there. */
import { Option, type Command } from 'commander';
import { outputEnv, parseWait } from '../output-env.js';
import { prefixOption, rulesOption, runOf, waitOption, type RunFlags } from '../options.js';
import type { CliContext } from '../session.js';

interface DiffFlags extends RunFlags {
  moved?: string;
  key?: string;
  format: 'table' | 'json';
  prefix: string;
  wait?: string;
}

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('who moved between two annotated files: a movement matrix, and the moved contacts')
    .argument('<before>', 'the earlier annotated file')
    .argument('<after>', 'the later annotated file')
    .option('--moved <file>', 'write the contacts whose stage changed, with both stages (CSV; - for stdout)')
    .option('--key <column>', 'the key column (default: the rules\' contacts.key, else the first email-like column)')
    .addOption(rulesOption('rules for the key column and its normalisation'))
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .addOption(prefixOption('prefix of the funnel columns'))
    .addOption(waitOption('when another run is writing --moved, wait for it this long (default 0)'))
    .action(async (before: string, after: string, o: DiffFlags) => {
      const s = ctx.session();
      const { term } = ctx;
      const { rules, path } = (await runOf(o, term)).rules;
      const moved = o.moved;
      const [{ diff }, { renderDiffText }] = await Promise.all([import('../../commands/diff.js'), import('../../output/diff-render.js')]);
      const r = await diff(
        { before, after, prefix: o.prefix, key: o.key ?? rules.contacts.key, normalize: rules.contacts.normalize, moved, order: [...rules.stages.map((x) => x.id), 'disqualified'], rulesPath: path, cwd: term.cwd },
        { stdin: term.stdin, stdout: term.stdout, warn: s.warn, outputs: outputEnv(term, parseWait(o.wait)) },
      );
      // With the moved rows on stdout, the matrix goes to stderr.
      const stream = moved === '-' ? term.stderr : term.stdout;
      if (o.format === 'json') stream.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (!s.opts.quiet) stream.write(renderDiffText(r, moved === '-' ? s.err : s.out));
    });
}
