/** `funnel completion`: a shell completion script made from the program's own commands and options. */
import type { Command } from 'commander';
import type { CliContext } from '../session.js';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      const { completionScript } = await import('../completion.js');
      ctx.term.stdout.write(completionScript(program, shell));
    });
}
