/** `funnel schema`: the JSON Schema of the rules file (or of a cases file). */
import type { Command } from 'commander';
import type { CliContext } from '../session.js';

export function registerSchema(program: Command, ctx: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema (draft 2020-12) of the rules file, for editors (yaml-language-server) and CI')
    .option('--cases', 'the schema of a cases file of funnel test instead')
    .action(async (o: { cases?: boolean }) => {
      const { schemaText } = await import('../../commands/schema.js');
      ctx.term.stdout.write(schemaText(o.cases ? 'cases' : 'rules'));
    });
}
