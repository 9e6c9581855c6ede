/** `funnel history`: its options, and where the history goes (stdout, -o, --report). */
import { Option, type Command } from 'commander';
import type { HistoryOptions } from '../../commands/history.js';
import type { History } from '../../output/history.js';
import { chalkFor } from '../color.js';
import { outputEnv, parseWait } from '../output-env.js';
import { activitiesOption, asOfOption, rulesOption, runOf, waitOption, type RunFlags } from '../options.js';
import { READ_HELP, readOptions, reading, type ReadFlags } from '../read-options.js';
import { reportOf } from '../report-page.js';
import type { CliContext, Session } from '../session.js';

interface HistoryFlags extends RunFlags, ReadFlags {
  activities?: string[];
  every: HistoryOptions['every'];
  since?: string;
  format: 'table' | 'json' | 'csv';
  output?: string;
  by?: string;
  report?: string;
  title?: string;
  wait?: string;
}

/** The history made and rendered as --format says (a table without colour when it goes to a file). */
async function made(opts: HistoryOptions, o: HistoryFlags, toFile: boolean, s: Session): Promise<{ history: History; text: string }> {
  const [{ history }, r] = await Promise.all([import('../../commands/history.js'), import('../../output/history-render.js')]);
  const h = await history(opts, { stdin: s.term.stdin, warn: s.warn, note: s.note, progress: s.progress });
  s.endProgress();
  const text = o.format === 'json' ? r.renderHistoryJson(h) : o.format === 'csv' ? r.renderHistoryCsv(h) : r.renderHistoryTable(h, toFile ? chalkFor({ isTTY: false, noColorFlag: true, env: s.term.env }) : s.out);
  return { history: h, text };
}

async function action(contacts: string[], o: HistoryFlags, ctx: CliContext): Promise<void> {
  const s = ctx.session();
  const { term } = ctx;
  const read = reading(o);
  const output = o.output;
  const toFile = output !== undefined && output !== '-';
  const setup = await runOf(o, term);
  const opts: HistoryOptions = { ...setup, ...read, contacts, activities: o.activities ?? [], every: o.every, since: o.since, by: o.by, cwd: term.cwd };
  if (!toFile && o.report === undefined) {
    term.stdout.write((await made(opts, o, false, s)).text);
    return;
  }
  // -o and --report are checked against the inputs and locked before the history is made.
  const { OutputRun } = await import('../../output/commit.js');
  const run = new OutputRun(outputEnv(term, parseWait(o.wait)));
  for (const i of [...contacts, ...opts.activities]) run.input(i);
  run.input(setup.rules.path, 'the rules file');
  const out = toFile ? run.file(output, '-o') : undefined;
  const page = o.report === undefined ? undefined : run.file(o.report, '--report');
  await run.open();
  try {
    const m = await made(opts, o, toFile, s);
    if (out) await out.write(m.text);
    else term.stdout.write(m.text);
    if (page) await page.write(await reportOf([{ kind: 'history', file: 'history', data: m.history }], o.title));
    await run.commit();
  } finally {
    run.abort();
  }
}

export function registerHistory(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('history')
    .description('the funnel over time, replayed from the activities: balance, entered and overdue per period and stage, conversion by cohort, velocity')
    .argument('<contacts...>', 'contact exports; - for standard input')
    .addOption(activitiesOption())
    .addOption(rulesOption())
    .addOption(new Option('--every <period>', 'calendar periods in activities.timezone').choices(['week', 'month', 'quarter']).default('month'))
    .option('--since <date>', 'the first period is the one holding this date (default: 12 periods up to the as-of)')
    .addOption(asOfOption('the end of the last period (default: now); later activities are ignored'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--by <field>', 'break the funnel down by the values of a contact field (20 largest, (other), (none))')
    .option('--report <file>', 'also write the history as an HTML report (as funnel report makes)')
    .option('--title <text>', 'the title of the --report page (default: Funnel report)')
    .addOption(waitOption('when another run is writing the same -o or --report file, wait for it this long (default 0)'));
  readOptions(cmd, { encoding: READ_HELP.encoding, delimiter: READ_HELP.delimiter, header: READ_HELP.header, threads: 'threads for folding each activities file and replaying one contacts file, in byte ranges; the same history as one (default: the cores, up to 4)' }).action((contacts: string[], o: HistoryFlags) => action(contacts, o, ctx));
}
