/** `funnel classify`: its options, and what it prints once the run is written. */
import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { ClassifyOptions, ClassifyResult } from '../../commands/classify.js';
import { outputKind } from '../../output/by-extension.js';
import { renderSummaryJson } from '../../output/summary-json.js';
import { outputEnv, parseWait } from '../output-env.js';
import { activitiesOption, asOfOption, prefixOption, rulesOption, runOf, waitOption, type RunFlags } from '../options.js';
import { READ_HELP, readOptions, reading, type ReadFlags, type Reading } from '../read-options.js';
import { reportOf } from '../report-page.js';
import type { CliContext, Session } from '../session.js';
import { wroteLine } from '../wrote.js';

interface ClassifyFlags extends RunFlags, ReadFlags {
  activities?: string[];
  output?: string;
  outDir?: string;
  format?: string;
  previous?: string;
  summary: 'table' | 'json' | 'none';
  summaryFile?: string;
  wait?: string;
  report?: string;
  title?: string;
  by?: string;
  strict?: boolean;
  stageDates?: boolean;
  bom?: boolean;
  crlf?: boolean;
  prefix: string;
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

async function optionsOf(contacts: string[], o: ClassifyFlags, read: Reading, ctx: CliContext): Promise<ClassifyOptions> {
  return {
    ...(await runOf(o, ctx.term)),
    ...read,
    contacts,
    activities: o.activities ?? [],
    output: o.output,
    outDir: o.outDir,
    ...outputChoice(o.output, o.format),
    crlf: !!o.crlf,
    previous: o.previous,
    summaryFile: o.summaryFile,
    strict: !!o.strict,
    prefix: o.prefix,
    bom: !!o.bom,
    cwd: ctx.term.cwd,
    stageDates: !!o.stageDates,
    by: o.by,
    // The report is one more output of the run, committed with the others.
    alsoWrite: o.report === undefined ? [] : [{ path: o.report, role: '--report', content: (summary) => reportOf([{ kind: 'summary', file: 'classify', data: summary }], o.title) }],
  };
}

/** The summary file on stdout if asked, the line of what was written, then the summary for people. */
async function printResult(result: ClassifyResult, o: ClassifyFlags, explicitSummary: boolean, s: Session): Promise<void> {
  const { term } = s;
  const jsonOnStdout = o.summaryFile === '-';
  if (jsonOnStdout) term.stdout.write(renderSummaryJson(result.summary));
  const wrote = wroteLine(result.summary, [o.summaryFile, o.report].filter((f): f is string => f !== undefined && f !== '-'));
  if (wrote) s.note(wrote);
  if (o.summary === 'none' || (s.opts.quiet && !explicitSummary)) return;
  // Data on stdout (rows, or the summary file), the summary for people on stderr.
  const toStderr = result.rowsOnStdout || jsonOnStdout;
  const stream = toStderr ? term.stderr : term.stdout;
  // The table's module (and cli-table3) only when a table is shown.
  stream.write(o.summary === 'json' ? renderSummaryJson(result.summary) : (await import('../../output/summary-render.js')).renderSummaryTable(result.summary, toStderr ? s.err : s.out));
}

export function registerClassify(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('classify')
    .description('classify contacts into funnel stages and write annotated files and a summary')
    .argument('<contacts...>', 'contact exports (CSV, TSV, JSON, NDJSON, .gz); - for standard input')
    .addOption(activitiesOption())
    .addOption(rulesOption())
    .option('-o, --output <file>', 'all annotated contacts in one file; - for standard output')
    .option('--out-dir <dir>', 'folder for contacts.csv and one <stage>.csv per stage (default funnel-out/)')
    .addOption(new Option('--format <format>', 'output format (default: by the -o extension — .json, .ndjson, .csv, .tsv, with .gz compressed — else csv)').choices(['csv', 'json', 'ndjson']))
    .addOption(asOfOption('reference time for windows and decay (default: now); later activities are ignored'))
    .option('--previous <file>', "the last run's annotated output: stages do not move backward, movements are shown")
    .addOption(new Option('--summary <kind>', 'funnel summary on stdout (stderr when rows go to stdout)').choices(['table', 'json', 'none']).default('table'))
    .option('--summary-file <file>', 'also write the summary as JSON, for monitoring; - for standard output')
    .addOption(waitOption('when another run is writing the same output, wait for it this long (30s, 5m, 1h) before giving up (default 0: exit 1 at once)'))
    .option('--report <file>', 'also write the summary as an HTML report (as funnel report makes)')
    .option('--title <text>', 'the title of the --report page (default: Funnel report)')
    .option('--by <field>', 'break the summary down by the values of a field (friendly name or column): the 20 largest, (other), (none)')
    .option('--strict', 'any row-level problem fails the run (exit 3) and nothing is written')
    .option('--stage-dates', 'replay the activities: funnel_became_<stage>, funnel_peak_stage, funnel_sla and stage_since from the history');
  readOptions(cmd, { ...READ_HELP, threads: 'threads for folding each activities file and classifying one contacts file, in byte ranges merged in order; the same results as one (default: the cores, up to 4)', parser: true })
    .option('--bom', 'write a UTF-8 BOM at the start of CSV output, for Excel')
    .option('--crlf', 'end CSV output lines with CRLF, for Excel (default: LF)')
    .addOption(prefixOption('prefix of the added columns'))
    .action(async (contacts: string[], o: ClassifyFlags, c: Command) => {
      const s = ctx.session();
      const { term } = ctx;
      const read = reading(o);
      const outputs = outputEnv(term, parseWait(o.wait));
      const opts = await optionsOf(contacts, o, read, ctx);
      const { classify } = await import('../../commands/classify.js');
      const result = await classify(opts, { stdin: term.stdin, stdout: term.stdout, warn: s.warn, note: s.note, meter: s.meter, peakRssMb: () => Math.round(process.resourceUsage().maxRSS / 1024), outputs });
      s.endProgress();
      await printResult(result, o, c.getOptionValueSource('summary') === 'cli', s);
    });
}
