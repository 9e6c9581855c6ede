/** `funnel completion`: a shell completion script made from the program's own commands and options. */
import type { Command } from 'commander';
import { completionScript } from '../completion.js';
import type { CliContext } from '../session.js';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      ctx.term.stdout.write(completionScript(program, shell));
    });
}
