/** `funnel validate`: its options, and the verdict it prints (exit 2 when the rules or samples have errors). */
import type { Command } from 'commander';
import { printable } from '../../util/text.js';
import { readOptions, reading, type ReadFlags } from '../read-options.js';
import type { CliContext } from '../session.js';

interface ValidateFlags extends ReadFlags {
  contacts?: string[];
  activities?: string[];
}

export function registerValidate(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('validate')
    .description('check a rules file, and optionally that sample exports have the columns and labels it uses')
    .argument('[rules]', 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)')
    .option('--contacts <files...>', 'contacts exports to check the key, the fields and the conditions against')
    .option('--activities <files...>', 'activities exports to check columns, dates, labels and keys against');
  readOptions(cmd, { encoding: 'input encoding of the exports', delimiter: 'input CSV delimiter of the exports' }).action(async (rulesPath: string | undefined, o: ValidateFlags) => {
    const s = ctx.session();
    const { term } = ctx;
    const [{ validate, hasErrors }, { discoverRules, formatProblem }] = await Promise.all([import('../../commands/validate.js'), import('../../commands/rules-source.js')]);
    // validate reports an invalid rules file as its verdict, so it finds the rules itself rather than by resolveRun.
    const rules = rulesPath ?? discoverRules(term.cwd, term.env);
    const r = await validate({ rules, contacts: o.contacts, activities: o.activities, cwd: term.cwd, ...reading(o) }, { stdin: term.stdin, warn: s.warn });
    for (const p of r.problems) {
      if (p.severity === 'error') term.stderr.write(`${s.err.red('funnel: error:')} ${printable(formatProblem(p))}\n`);
      else s.warn(formatProblem(p));
    }
    const errors = r.problems.filter((p) => p.severity === 'error').length;
    const warnings = r.problems.length - errors;
    if (hasErrors(r)) {
      ctx.done(2);
      return;
    }
    if (!s.opts.quiet) {
      const labels = r.labels ? `; ${r.labels.filter((l) => l.used).length} activity label(s) feed the rules, ${r.labels.filter((l) => !l.used).length} do not` : '';
      const overlap = r.overlap ? `; ${r.overlap.matched} of ${r.overlap.activity_rows} keyed activity rows match a sample contact` : '';
      term.stdout.write(`${printable(r.source)}: ${s.out.green('valid')}${warnings ? `, ${warnings} warning(s)` : ''}${labels}${overlap}\n`);
    }
    ctx.done(0);
  });
}
