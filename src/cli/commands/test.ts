/** `funnel test`: the cases run through the rules; exit 1 when any case fails. */
import { Option, type Command } from 'commander';
import type { CliContext } from '../session.js';

export function registerTest(program: Command, ctx: CliContext): void {
  program
    .command('test')
    .description('run the cases of a cases file through the rules: each case passes or says what came instead')
    .argument('[files...]', 'the rules file and cases files, told apart by content (default: the rules as classify finds them, and funnel.test.yaml beside them)')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (files: string[], o: { format: 'text' | 'json' }) => {
      const s = ctx.session();
      const { term } = ctx;
      const [{ runTests }, { renderTestJson, renderTestText }, { discoverRules }] = await Promise.all([import('../../commands/test.js'), import('../../output/test-render.js'), import('../../commands/rules-source.js')]);
      // The rules may be among the files, told apart by content: discovery only names the default.
      const report = await runTests({ files, cwd: term.cwd, discovered: discoverRules(term.cwd, term.env) }, { stdin: term.stdin, warn: s.warn, note: s.note });
      term.stdout.write(o.format === 'json' ? renderTestJson(report) : renderTestText(report, s.out));
      ctx.done(report.failed ? 1 : 0);
    });
}
