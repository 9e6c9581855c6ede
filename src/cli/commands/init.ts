/** `funnel init`: the example rules, cases and schemas written to start from (or the rules printed with `-`). */
import type { Command } from 'commander';
import { relative as relativePath, resolve as resolvePath } from 'node:path';
import { outputEnv } from '../output-env.js';
import type { CliContext } from '../session.js';

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('write the commented example rules to start from, example cases for funnel test and the JSON Schemas for editors beside them')
    .argument('[path]', 'where to write them; - prints the rules on standard output', 'funnel.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (path: string, o: { force?: boolean }) => {
      const s = ctx.session();
      const { term } = ctx;
      const { exampleRules, init } = await import('../../commands/init.js');
      if (path === '-') {
        term.stdout.write(exampleRules());
        return;
      }
      // The path as given: messages name it so; outputs are resolved in term.cwd.
      const r = await init(path, !!o.force, outputEnv(term));
      s.note(`wrote ${r.files.map((f) => relativePath(term.cwd, resolvePath(term.cwd, f))).join(', ')} — edit the rules and cases, then: funnel validate ${path} --contacts <contacts> --activities <activities>; funnel test ${path}`);
    });
}
