/**
 * The command line: parses arguments with commander, calls the commands (plain async functions), prints
 * what they return, and turns every error into one line and an exit code — here and nowhere else.
 */
import { Command, CommanderError, Option } from 'commander';
import { relative as relativePath, resolve as resolvePath } from 'node:path';
import { availableParallelism } from 'node:os';
import { FunnelError, UsageError, isFunnelError, RulesError } from '../errors.js';
import { VERSION } from '../util/version.js';
import { OutputRun, whenCommitted, writeOutputFile } from '../output/commit.js';
import { renderSummaryJson, renderSummaryTable } from '../output/summary-render.js';
import type { ReportInput } from '../output/report/inputs.js';
import { configureProcessScratch, outputEnv, parseWait, removeTemporariesSync } from './output-env.js';
import { classify, type ClassifyOptions } from '../commands/classify.js';
import { validate, hasErrors } from '../commands/validate.js';
import { explain, type ExplainOptions } from '../commands/explain.js';
import { exampleRules, init } from '../commands/init.js';
import { sql } from '../commands/sql.js';
import { summarize } from '../commands/summary.js';
import { history, type HistoryOptions } from '../commands/history.js';
import type { History } from '../output/history.js';
import { renderHistoryCsv, renderHistoryJson, renderHistoryTable } from '../output/history-render.js';
import { diff } from '../commands/diff.js';
import { renderDiffText } from '../output/diff-render.js';
import { discoverRules, formatProblem } from '../commands/rules-source.js';
import { resolveRun, type RunSetup } from '../commands/run-setup.js';
import { renderExplainText } from '../output/explain-render.js';
import { registerRulesAsCode } from './rules-as-code.js';
import { decorateHelp, trackCommand } from './help.js';
import { wroteLine } from './wrote.js';
import { outputKind } from '../output/by-extension.js';
import { completionScript } from './completion.js';
import { ProgressDisplay, progressMode } from './progress.js';
import type { ProgressEvent } from '../util/progress.js';
import { checkReadOptions } from './read-options.js';
import { chalkFor } from './color.js';
import { printable } from '../util/text.js';
import { processTerminal, type Terminal } from './io.js';

interface GlobalOpts {
  quiet?: boolean;
  color?: boolean;
  debug?: boolean;
  progress?: boolean;
}

export class Session {
  readonly display: ProgressDisplay;
  constructor(
    readonly term: Terminal,
    readonly opts: GlobalOpts,
  ) {
    this.display = new ProgressDisplay(term.stderr, progressMode({ quiet: opts.quiet, progress: opts.progress, tty: !!term.stderr.isTTY }));
  }

  get err() {
    return chalkFor({ isTTY: !!this.term.stderr.isTTY, noColorFlag: this.opts.color === false, env: this.term.env });
  }
  get out() {
    return chalkFor({ isTTY: !!this.term.stdout.isTTY, noColorFlag: this.opts.color === false, env: this.term.env });
  }
  private readonly warned = new Set<string>();
  /** Each warning once: the contacts are read twice, and a file-level warning would otherwise repeat. */
  warn = (m: string): void => {
    if (this.opts.quiet || this.warned.has(m)) return;
    this.warned.add(m);
    this.display.clear();
    this.term.stderr.write(`${this.err.yellow('funnel: warning:')} ${printable(m)}\n`);
  };
  note = (m: string): void => {
    if (this.opts.quiet) return;
    this.display.clear();
    this.term.stderr.write(`${this.err.dim(`funnel: ${printable(m)}`)}\n`);
  };
  /** Progress as a free-form status line (commands that count rows only). */
  progress = (m: string): void => this.display.status(printable(m));
  /** Progress of the phases of classify: bars on a terminal. */
  meter = (ev: ProgressEvent): void => this.display.update(ev);
  endProgress(): void {
    this.display.clear();
  }
}

export const DEFAULT_MAX_THREADS = 4;

function parseSkipLines(v: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`--skip-lines must be a whole number ≥ 0, not '${v}'`);
  return Number(v);
}

function parseFormat(v: string): 'csv' | 'json' | 'ndjson' {
  if (v === 'csv' || v === 'json' || v === 'ndjson') return v;
  throw new UsageError(`--format must be csv, json or ndjson, not '${v}'`);
}

/** Format, compression and delimiter of the rows: --format if given, else what the -o name says, else CSV. */
function outputChoice(output: string | undefined, format: string | undefined): Pick<ClassifyOptions, 'format' | 'gzip' | 'outputDelimiter'> {
  const kind = outputKind(output);
  const chosen = format !== undefined ? parseFormat(format) : (kind.format ?? 'csv');
  return { format: chosen, gzip: kind.gzip, outputDelimiter: chosen === 'csv' ? kind.delimiter : undefined };
}

/** The rules (`-r`, else discovered from the Terminal's folder and environment) and the as-of, resolved once. */
function runOf(o: { rules?: unknown; asOf?: unknown }, term: Terminal): RunSetup {
  return resolveRun({ rules: o.rules === undefined ? undefined : String(o.rules), asOf: o.asOf === undefined ? undefined : String(o.asOf) }, { cwd: term.cwd, env: term.env });
}

/** `-r` as given, else what discovery finds from the working folder and the environment (SPEC §2). */
function rulesOption(explicit: unknown, term: Terminal): string | undefined {
  return explicit !== undefined ? String(explicit) : discoverRules(term.cwd, term.env);
}

/** The report's renderer (and ECharts) is loaded only by the runs that write one. */
async function reportOf(inputs: ReportInput[], title?: string): Promise<string> {
  const { reportHtml } = await import('../commands/report.js');
  return reportHtml(inputs, title);
}

/** `sessions`: those the actions created, so that an error clears their progress bar before it is printed. */
function buildProgram(term: Terminal, done: (code: number) => void, sessions: Session[] = []): Command {
  const program = new Command();
  const session = (): Session => {
    const s = new Session(term, program.opts<GlobalOpts>());
    sessions.push(s);
    return s;
  };
  program
    .name('funnel')
    .description('Put every contact of CRM exports in its funnel stage, with score, fit, consent, next content, action and the evidence why.')
    .version(VERSION, '-V, --version')
    .option('-q, --quiet', 'print nothing but errors (and data asked for)')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .option('--debug', 'print stack traces of unexpected errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => term.stdout.write(s),
      writeErr: (s) => term.stderr.write(s),
      outputError: (s, write) => write(`funnel: ${s.replace(/\n(?!$)/g, ' ')}`),
    });

  program
    .command('classify')
    .description('classify contacts into funnel stages and write annotated files and a summary')
    .argument('<contacts...>', 'contact exports (CSV, TSV, JSON, NDJSON, .gz); - for standard input')
    .option('-a, --activities <files...>', 'activity exports, one row per event')
    .option('-r, --rules <file>', 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)')
    .option('-o, --output <file>', 'all annotated contacts in one file; - for standard output')
    .option('--out-dir <dir>', 'folder for contacts.csv and one <stage>.csv per stage (default funnel-out/)')
    .addOption(new Option('--format <format>', 'output format (default: by the -o extension — .json, .ndjson, .csv, .tsv, with .gz compressed — else csv)').choices(['csv', 'json', 'ndjson']))
    .option('--as-of <date>', 'reference time for windows and decay (default: now); later activities are ignored')
    .option('--previous <file>', "the last run's annotated output: stages do not move backward, movements are shown")
    .addOption(new Option('--summary <kind>', 'funnel summary on stdout (stderr when rows go to stdout)').choices(['table', 'json', 'none']).default('table'))
    .option('--summary-file <file>', 'also write the summary as JSON, for monitoring; - for standard output')
    .option('--wait <duration>', 'when another run is writing the same output, wait for it this long (30s, 5m, 1h) before giving up (default 0: exit 1 at once)')
    .option('--report <file>', 'also write the summary as an HTML report (as funnel report makes)')
    .option('--title <text>', 'the title of the --report page (default: Funnel report)')
    .option('--by <field>', 'break the summary down by the values of a field (friendly name or column): the 20 largest, (other), (none)')
    .option('--strict', 'any row-level problem fails the run (exit 3) and nothing is written')
    .option('--stage-dates', 'replay the activities: funnel_became_<stage>, funnel_peak_stage, funnel_sla and stage_since from the history')
    .option('--threads <n>', 'threads for folding each activities file, in byte ranges merged in order; the same results as one (default: the cores, up to 4)')
    .option('--encoding <label>', 'input encoding (WHATWG label, e.g. windows-1252); default: detected')
    .option('--delimiter <char>', 'input CSV delimiter (, ; tab |); default: sniffed')
    .option('--no-header', 'CSV inputs have no header row; columns are named 1..N')
    .option('--skip-lines <n>', 'title lines before the CSV header, skipped', parseSkipLines)
    .option('--bom', 'write a UTF-8 BOM at the start of CSV output, for Excel')
    .option('--crlf', 'end CSV output lines with CRLF, for Excel (default: LF)')
    .option('--prefix <prefix>', 'prefix of the added columns', 'funnel_')
    // For tests: cut small files into ranges too; read every CSV with csv-parse, the byte tokenizer's oracle.
    .addOption(new Option('--min-range-bytes <n>').hideHelp())
    .addOption(new Option('--parser <parser>').choices(['fast', 'csv-parse']).hideHelp())
    .action(async (contacts: string[], o: Record<string, unknown>, cmd: Command) => {
      const s = session();
      const { delimiter } = checkReadOptions(o);
      const result = await classify(
        {
          contacts,
          activities: (o.activities as string[] | undefined) ?? [],
          ...runOf(o, term),
          output: o.output as string | undefined,
          outDir: o.outDir as string | undefined,
          ...outputChoice(o.output as string | undefined, o.format as string | undefined),
          crlf: !!o.crlf,
          previous: o.previous as string | undefined,
          summaryFile: o.summaryFile as string | undefined,
          strict: !!o.strict,
          prefix: String(o.prefix),
          encoding: o.encoding as string | undefined,
          delimiter,
          noHeader: o.header === false,
          skipLines: o.skipLines as number | undefined,
          bom: !!o.bom,
          cwd: term.cwd,
          // The cores, up to 4: each thread past the first holds the keys of its range (50–140 MB per million
          // contacts), and past 4 the classify pass, on one thread, is most of the run anyway.
          threads: o.threads === undefined ? Math.min(availableParallelism(), DEFAULT_MAX_THREADS) : Number(o.threads),
          minRangeBytes: o.minRangeBytes === undefined ? undefined : Number(o.minRangeBytes),
          parser: o.parser as ClassifyOptions['parser'],
          stageDates: !!o.stageDates,
          by: o.by as string | undefined,
          // The report is one more output of the run, committed with the others.
          alsoWrite: o.report === undefined ? [] : [{ path: String(o.report), role: '--report', content: (summary) => reportOf([{ kind: 'summary', file: 'classify', data: summary }], o.title as string | undefined) }],
        },
        { stdin: term.stdin, stdout: term.stdout, warn: s.warn, note: s.note, meter: s.meter, peakRssMb: () => Math.round(process.resourceUsage().maxRSS / 1024), outputs: outputEnv(term, parseWait(o.wait as string | undefined)) },
      );
      s.endProgress();
      const jsonOnStdout = o.summaryFile === '-';
      if (jsonOnStdout) term.stdout.write(renderSummaryJson(result.summary));
      const wrote = wroteLine(result.summary, [o.summaryFile, o.report].filter((f) => f !== undefined && f !== '-').map(String));
      if (wrote) s.note(wrote);
      const explicit = cmd.getOptionValueSource('summary') === 'cli';
      const kind = String(o.summary);
      if (kind === 'none' || (s.opts.quiet && !explicit)) return;
      // Data on stdout (rows, or the summary file), the summary for people on stderr.
      const toStderr = result.rowsOnStdout || jsonOnStdout;
      const stream = toStderr ? term.stderr : term.stdout;
      const chalk = toStderr ? s.err : s.out;
      stream.write(kind === 'json' ? renderSummaryJson(result.summary) : renderSummaryTable(result.summary, chalk));
    });

  program
    .command('validate')
    .description('check a rules file, and optionally that sample exports have the columns and labels it uses')
    .argument('[rules]', 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)')
    .option('--contacts <files...>', 'contacts exports to check the key, the fields and the conditions against')
    .option('--activities <files...>', 'activities exports to check columns, dates, labels and keys against')
    .option('--encoding <label>', 'input encoding of the exports')
    .option('--delimiter <char>', 'input CSV delimiter of the exports')
    .action(async (rulesPath: string | undefined, o: Record<string, unknown>) => {
      const s = session();
      const r = await validate(
        { rules: rulesOption(rulesPath, term), contacts: o.contacts as string[] | undefined, activities: o.activities as string[] | undefined, cwd: term.cwd, encoding: o.encoding as string | undefined, delimiter: checkReadOptions(o).delimiter },
        { stdin: term.stdin, warn: s.warn },
      );
      for (const p of r.problems) {
        if (p.severity === 'error') term.stderr.write(`${s.err.red('funnel: error:')} ${printable(formatProblem(p))}\n`);
        else s.warn(formatProblem(p));
      }
      const errors = r.problems.filter((p) => p.severity === 'error').length;
      const warnings = r.problems.length - errors;
      if (hasErrors(r)) {
        done(2);
        return;
      }
      if (!s.opts.quiet) {
        const labels = r.labels ? `; ${r.labels.filter((l) => l.used).length} activity label(s) feed the rules, ${r.labels.filter((l) => !l.used).length} do not` : '';
        const overlap = r.overlap ? `; ${r.overlap.matched} of ${r.overlap.activity_rows} keyed activity rows match a sample contact` : '';
        term.stdout.write(`${printable(r.source)}: ${s.out.green('valid')}${warnings ? `, ${warnings} warning(s)` : ''}${labels}${overlap}\n`);
      }
      done(0);
    });

  program
    .command('explain')
    .description('show, for one contact, every rule and condition held or not, with the evidence')
    .argument('<contacts...>', 'contact exports')
    .option('-a, --activities <files...>', 'activity exports')
    .requiredOption('--contact <key>', 'the key of the contact (e.g. its email)')
    .option('-r, --rules <file>', 'rules file')
    .option('--as-of <date>', 'reference time (default: now)')
    .option('--stage-dates', 'the stage where the replay of the activities ends, as classify --stage-dates gives it')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--encoding <label>', 'input encoding')
    .option('--delimiter <char>', 'input CSV delimiter')
    .option('--no-header', 'CSV inputs have no header row')
    .option('--skip-lines <n>', 'title lines before the CSV header, skipped', parseSkipLines)
    .addOption(new Option('--parser <parser>').choices(['fast', 'csv-parse']).hideHelp())
    .action(async (contacts: string[], o: Record<string, unknown>) => {
      const s = session();
      const r = await explain(
        {
          contacts,
          activities: (o.activities as string[] | undefined) ?? [],
          contact: String(o.contact),
          ...runOf(o, term),
          cwd: term.cwd,
          encoding: o.encoding as string | undefined,
          delimiter: checkReadOptions(o).delimiter,
          noHeader: o.header === false,
          skipLines: o.skipLines as number | undefined,
          parser: o.parser as ExplainOptions['parser'],
          stageDates: !!o.stageDates,
        },
        { stdin: term.stdin, warn: s.warn, note: s.note },
      );
      term.stdout.write(o.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderExplainText(r, s.out));
    });

  program
    .command('history')
    .description('the funnel over time, replayed from the activities: balance, entered and overdue per period and stage, conversion by cohort, velocity')
    .argument('<contacts...>', 'contact exports; - for standard input')
    .option('-a, --activities <files...>', 'activity exports, one row per event')
    .option('-r, --rules <file>', 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)')
    .addOption(new Option('--every <period>', 'calendar periods in activities.timezone').choices(['week', 'month', 'quarter']).default('month'))
    .option('--since <date>', 'the first period is the one holding this date (default: 12 periods up to the as-of)')
    .option('--as-of <date>', 'the end of the last period (default: now); later activities are ignored')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--by <field>', 'break the funnel down by the values of a contact field (20 largest, (other), (none))')
    .option('--report <file>', 'also write the history as an HTML report (as funnel report makes)')
    .option('--title <text>', 'the title of the --report page (default: Funnel report)')
    .option('--threads <n>', 'threads for folding each activities file (default: the cores, up to 4)')
    .option('--encoding <label>', 'input encoding (WHATWG label, e.g. windows-1252); default: detected')
    .option('--delimiter <char>', 'input CSV delimiter (, ; tab |); default: sniffed')
    .option('--no-header', 'CSV inputs have no header row; columns are named 1..N')
    .addOption(new Option('--min-range-bytes <n>').hideHelp())
    .action(async (contacts: string[], o: Record<string, unknown>) => {
      const s = session();
      const { delimiter } = checkReadOptions(o);
      const output = o.output as string | undefined;
      const toFile = output !== undefined && output !== '-';
      const setup = runOf(o, term);
      let made: History | undefined;
      const make = async (): Promise<string> => {
        const h = await history(
          {
            contacts,
            activities: (o.activities as string[] | undefined) ?? [],
            ...setup,
            every: String(o.every) as HistoryOptions['every'],
            since: o.since as string | undefined,
            by: o.by as string | undefined,
            cwd: term.cwd,
            encoding: o.encoding as string | undefined,
            delimiter,
            noHeader: o.header === false,
            threads: o.threads === undefined ? Math.min(availableParallelism(), DEFAULT_MAX_THREADS) : Number(o.threads),
            minRangeBytes: o.minRangeBytes === undefined ? undefined : Number(o.minRangeBytes),
          },
          { stdin: term.stdin, warn: s.warn, note: s.note, progress: s.progress },
        );
        s.endProgress();
        made = h;
        return o.format === 'json' ? renderHistoryJson(h) : o.format === 'csv' ? renderHistoryCsv(h) : renderHistoryTable(h, toFile ? chalkFor({ isTTY: false, noColorFlag: true, env: term.env }) : s.out);
      };
      if (!toFile && o.report === undefined) {
        term.stdout.write(await make());
        return;
      }
      // -o and --report are checked against the inputs and locked before the history is made.
      const run = new OutputRun(outputEnv(term));
      for (const i of [...contacts, ...((o.activities as string[] | undefined) ?? [])]) run.input(i);
      run.input(setup.rules.path, 'the rules file');
      const out = toFile ? run.file(output, '-o') : undefined;
      const page = o.report === undefined ? undefined : run.file(String(o.report), '--report');
      await run.open();
      try {
        const text = await make();
        if (out) await out.write(text);
        else term.stdout.write(text);
        if (page) await page.write(await reportOf([{ kind: 'history', file: 'history', data: made! }], o.title as string | undefined));
        await run.commit();
      } finally {
        run.abort();
      }
    });

  program
    .command('summary')
    .description('the funnel summary of an annotated file written by classify')
    .argument('<annotated>', 'annotated contacts (CSV, JSON, NDJSON); - for standard input')
    .option('-r, --rules <file>', 'rules giving the stage order (default: as classify finds them)')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--prefix <prefix>', 'prefix of the funnel columns', 'funnel_')
    .option('--by <field>', 'break the summary down by the values of a field (friendly name or column): the 20 largest, (other), (none)')
    .action(async (file: string, o: Record<string, unknown>) => {
      const s = session();
      const summary = await summarize({ file, rules: runOf(o, term).rules, prefix: String(o.prefix), cwd: term.cwd, by: o.by as string | undefined }, { stdin: term.stdin, warn: s.warn });
      term.stdout.write(o.format === 'json' ? renderSummaryJson(summary) : renderSummaryTable(summary, s.out));
    });

  program
    .command('diff')
    .description('who moved between two annotated files: a movement matrix, and the moved contacts')
    .argument('<before>', 'the earlier annotated file')
    .argument('<after>', 'the later annotated file')
    .option('--moved <file>', 'write the contacts whose stage changed, with both stages (CSV; - for stdout)')
    .option('--key <column>', 'the key column (default: the rules\' contacts.key, else the first email-like column)')
    .option('-r, --rules <file>', 'rules for the key column and its normalisation')
    .addOption(new Option('--format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('--prefix <prefix>', 'prefix of the funnel columns', 'funnel_')
    .option('--wait <duration>', 'when another run is writing --moved, wait for it this long (default 0)')
    .action(async (before: string, after: string, o: Record<string, unknown>) => {
      const s = session();
      const loaded = runOf(o, term).rules;
      const { rules, path } = loaded;
      const moved = o.moved as string | undefined;
      const r = await diff(
        { before, after, prefix: String(o.prefix), key: (o.key as string | undefined) ?? rules.contacts.key, normalize: rules.contacts.normalize, moved, order: [...rules.stages.map((x) => x.id), 'disqualified'], rulesPath: path, cwd: term.cwd },
        { stdin: term.stdin, stdout: term.stdout, warn: s.warn, outputs: outputEnv(term, parseWait(o.wait as string | undefined)) },
      );
      // With the moved rows on stdout, the matrix goes to stderr.
      const stream = moved === '-' ? term.stderr : term.stdout;
      if (o.format === 'json') stream.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (!s.opts.quiet) stream.write(renderDiffText(r, moved === '-' ? s.err : s.out));
    });

  program
    .command('sql')
    .description('compile the rules into one SQL query for DuckDB, PostgreSQL or BigQuery')
    .option('-r, --rules <file>', 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)')
    .addOption(new Option('--dialect <dialect>', 'SQL dialect').choices(['duckdb', 'postgres', 'bigquery']).default('duckdb'))
    .option('--contacts-table <table>', 'the contacts table', 'contacts')
    .option('--activities-table <table>', 'the activities table', 'activities')
    .option('--as-of <date>', 'reference time (default: now), written into the query')
    .option('-o, --output <file>', 'write the query to a file instead of stdout')
    .option('--prefix <prefix>', 'prefix of the added columns', 'funnel_')
    .option('--wait <duration>', 'when another run is writing the same -o file, wait for it this long (default 0)')
    .action(async (o: Record<string, unknown>) => {
      const s = session();
      const setup = runOf(o, term);
      const text = sql(
        { ...setup, dialect: String(o.dialect), contactsTable: String(o.contactsTable), activitiesTable: o.activitiesTable as string | undefined, prefix: String(o.prefix) },
        { warn: s.warn, note: s.note },
      );
      if (o.output === undefined || o.output === '-') term.stdout.write(text);
      else await writeOutputFile(outputEnv(term, parseWait(o.wait as string | undefined)), String(o.output), '-o', text, [{ path: setup.rules.path, role: 'the rules file' }]);
    });

  program
    .command('report')
    .description('one self-contained HTML page (charts and tables, no script, no network) from summary and history JSON')
    .argument('<files...>', "JSON written by 'classify --summary-file' or 'history --format json'; several summaries give a trend over runs")
    .requiredOption('-o, --output <file>', 'the HTML file to write; - for standard output')
    .option('--title <text>', 'the title of the page (default: Funnel report)')
    .action(async (files: string[], o: Record<string, unknown>) => {
      const { report } = await import('../commands/report.js');
      await report({ files, output: String(o.output), title: o.title as string | undefined, cwd: term.cwd }, { stdin: term.stdin, stdout: term.stdout, outputs: outputEnv(term) });
    });

  program
    .command('init')
    .description('write the commented example rules to start from, example cases for funnel test and the JSON Schemas for editors beside them')
    .argument('[path]', 'where to write them; - prints the rules on standard output', 'funnel.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (path: string, o: Record<string, unknown>) => {
      const s = session();
      if (path === '-') {
        term.stdout.write(exampleRules());
        return;
      }
      // The path as given: messages name it so; outputs are resolved in term.cwd.
      const r = await init(path, !!o.force, outputEnv(term));
      s.note(`wrote ${r.files.map((f) => relativePath(term.cwd, resolvePath(term.cwd, f))).join(', ')} — edit the rules and cases, then: funnel validate ${path} --contacts <contacts> --activities <activities>; funnel test ${path}`);
    });

  registerRulesAsCode(program, term, session, done);
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      term.stdout.write(completionScript(program, shell));
    });
  decorateHelp(program);

  return program;
}

/** Runs the CLI and resolves to the exit code; never throws, never calls process.exit. */
export async function main(argv: string[], term: Terminal = processTerminal()): Promise<number> {
  configureProcessScratch();
  let code = 0;
  const sessions: Session[] = [];
  const program = buildProgram(
    term,
    (c) => {
      code = c;
    },
    sessions,
  );
  const command = trackCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    for (const s of sessions) s.endProgress();
    return reportError(e, term, program.opts<GlobalOpts>().debug === true, command());
  }
}

export function reportError(e: unknown, term: Terminal, debug: boolean, command?: string): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander prints its own message; the spec's code for bad usage is 2.
    return 2;
  }
  if (isFunnelError(e)) {
    const all: FunnelError[] = e instanceof RulesError && e.problems.length ? [...e.problems] : [e];
    // Bad usage points to the command's help; a rules or input error has its own hint.
    const see = e instanceof UsageError && command ? `${e.hint ? ';' : ' —'} see 'funnel ${command} --help'` : '';
    for (const p of all) term.stderr.write(`funnel: error: ${printable(`${p.format()}${see}`)}\n`);
    if (debug) term.stderr.write(`${(e as Error).stack}\n`);
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return 0;
  term.stderr.write(`funnel: error: unexpected failure: ${printable(err?.message ?? String(e))} — ${debug ? '' : 'run again with --debug for details, and '}please report it\n`);
  if (debug && err?.stack) term.stderr.write(`${err.stack}\n`);
  return 1;
}

/** The bin entry: sets process.exitCode so output is flushed; handles a closed pipe and interruption. */
export async function run(): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      removeTemporariesSync();
      // Downstream (`| head`) has all it wants: a normal, quiet end.
      process.exit(0);
    }
  });
  // A closed stderr (`--progress 2>&1 | head -2`) loses the messages, not the run: the files are still written.
  process.stderr.on('error', () => {});
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    // During a commit's renames, the exit waits until they are all done (commit.ts).
    process.on(sig, () =>
      whenCommitted(() => {
        removeTemporariesSync();
        process.exit(code);
      }),
    );
  }
  process.exitCode = await main(process.argv.slice(2));
}
