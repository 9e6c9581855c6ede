/** `funnel explain`: its options, and the one contact's evidence it prints. */
import { Option, type Command } from 'commander';
import { asOfOption, rulesOption, runOf, type RunFlags } from '../options.js';
import { READ_HELP, readOptions, reading, type ReadFlags } from '../read-options.js';
import type { CliContext } from '../session.js';

interface ExplainFlags extends RunFlags, ReadFlags {
  activities?: string[];
  contact: string;
  stageDates?: boolean;
  format: 'text' | 'json';
}

export function registerExplain(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('explain')
    .description('show, for one contact, every rule and condition held or not, with the evidence')
    .argument('<contacts...>', 'contact exports')
    .option('-a, --activities <files...>', 'activity exports')
    .requiredOption('--contact <key>', 'the key of the contact (e.g. its email)')
    .addOption(rulesOption('rules file'))
    .addOption(asOfOption('reference time (default: now)'))
    .option('--stage-dates', 'the stage where the replay of the activities ends, as classify --stage-dates gives it')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  readOptions(cmd, { encoding: 'input encoding', delimiter: 'input CSV delimiter', header: 'CSV inputs have no header row', skipLines: READ_HELP.skipLines, parser: true }).action(async (contacts: string[], o: ExplainFlags) => {
    const s = ctx.session();
    const { term } = ctx;
    const read = reading(o);
    const setup = await runOf(o, term);
    const [{ explain }, { renderExplainText }] = await Promise.all([import('../../commands/explain.js'), import('../../output/explain-render.js')]);
    const r = await explain({ ...setup, ...read, contacts, activities: o.activities ?? [], contact: o.contact, cwd: term.cwd, stageDates: !!o.stageDates }, { stdin: term.stdin, warn: s.warn, note: s.note });
    term.stdout.write(o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderExplainText(r, s.out));
  });
}
