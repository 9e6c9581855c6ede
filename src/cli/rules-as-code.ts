/** The commands that treat the rules as code: `funnel test`, `funnel whatif`, `funnel schema`. */
import { Option, type Command } from 'commander';
import { runTests } from '../commands/test.js';
import { renderTestJson, renderTestText } from '../output/test-render.js';
import type { Session } from './cli.js';
import type { Terminal } from './io.js';

export function registerRulesAsCode(program: Command, term: Terminal, session: () => Session, done: (code: number) => void): void {
  program
    .command('test')
    .description('run the cases of a cases file through the rules: each case passes or says what came instead')
    .argument('[files...]', 'the rules file and cases files, told apart by content (default: the rules as classify finds them, and funnel.test.yaml beside them)')
    .addOption(new Option('--format <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (files: string[], o: Record<string, unknown>) => {
      const s = session();
      const report = await runTests({ files, cwd: term.cwd }, { stdin: term.stdin, warn: s.warn, note: s.note });
      term.stdout.write(o.format === 'json' ? renderTestJson(report) : renderTestText(report, s.out));
      done(report.failed ? 1 : 0);
    });
}
