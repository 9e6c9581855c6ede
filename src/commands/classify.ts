/**
 * `funnel classify`: fold the activities, scan the contacts once for keys, then stream every contact
 * through the classifier to the writers, and return the summary. No process, TTY or environment here:
 * streams and warnings are injected by the CLI.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { inputRef, type InputRef } from '../input/bytes.js';
import { forEachRecord, openTable, type ReadOptions, type Rec } from '../input/table.js';
import { scanContacts } from '../input/contacts.js';
import { readPrevious, PreviousCoverage } from './previous.js';
import { parseAsOf, isoTime } from '../values/dates.js';
import { planActivities } from '../aggregate/plan.js';
import { dateColumnsOf } from '../rules/walk.js';
import { Aggregates, BLANK_KEY } from '../aggregate/store.js';
import { normalizeKey } from '../values/keys.js';
import { foldActivities, type FoldStats } from '../aggregate/fold.js';
import { checkOverlap, keyOverlap, rowsAdded } from '../aggregate/key-overlap.js';
import { CaseOnlyKeys } from '../input/case-keys.js';
import { reportLongRecords } from '../input/long-records.js';
import { foldActivitiesInRanges, DEFAULT_MIN_RANGE_BYTES } from '../aggregate/ranges.js';
import { DEFAULT_MAX_RECORD_SIZE } from '../input/csv.js';
import { Classifier, DISQUALIFIED } from '../classify/classifier.js';
import { StageDates, createdAt, createdColumn, hasSla, stageDateColumns } from '../classify/stage-dates.js';
import { OutputRun, libraryEnv, type Output, type OutputEnv, type OutputFolder } from '../output/commit.js';
import { copyStdin } from '../output/stdin-copy.js';
import { renderSummaryJson } from '../output/summary-render.js';
import { csvLine, rowFormat, type OutputFormat, type RowFormat } from '../output/rows.js';
import { ByteSink } from '../output/byte-sink.js';
import { gzipWriter } from '../output/gzip.js';
import { SummaryBuilder, type Summary } from '../output/summary.js';
import { SegmentedSummary } from '../output/summary-segments.js';
import { byColumn } from './by-column.js';
import { funnelValues, unionHeader } from '../output/annotation.js';
import { loadRules, formatProblem, type LoadedRules } from './rules-source.js';
import { checkFieldColumns } from './field-columns.js';
import { WarningList } from '../output/warning-list.js';
import { VERSION } from '../util/version.js';
import { PhaseMeter, type ProgressSink } from '../util/progress.js';

export interface ClassifyOptions {
  contacts: string[];
  activities: string[];
  rules?: string;
  output?: string;
  outDir?: string;
  format: OutputFormat;
  asOf?: string;
  previous?: string;
  /** The summary as JSON, written with the other outputs (`-` is left to the caller: standard output). */
  summaryFile?: string;
  /**
   * More outputs made from the summary (`--report`), planned, checked and committed with the others: `content`
   * is called once the summary is known. `-` writes to standard output.
   */
  alsoWrite?: readonly { path: string; role: string; content: (summary: Summary) => Promise<string | Buffer> }[];
  strict: boolean;
  prefix: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
  /** Title lines before the CSV header (`--skip-lines`). */
  skipLines?: number;
  bom?: boolean;
  cwd: string;
  /** The CSV reader: the fast tokenizer (default) or csv-parse alone, the reference it is tested against. */
  parser?: 'fast' | 'csv-parse';
  /**
   * Threads in all for folding an activities file (uncompressed UTF-8 CSV): above 1, its byte ranges after the
   * first are folded on worker threads and merged. The same results whatever the number.
   */
  threads?: number;
  /** The smallest byte range given to a thread (tests make it small to cut small files). */
  minRangeBytes?: number;
  /** Replay the activity log for stage dates, peak and SLA (SPEC §7); implied by rules with an `sla`. */
  stageDates?: boolean;
  /** The CSV output's delimiter (`-o x.tsv`); default: the input's. */
  outputDelimiter?: string;
  /** Gzip the `-o` file (`-o x.csv.gz`). */
  gzip?: boolean;
  /** CSV lines end with CRLF. */
  crlf?: boolean;
  /** `--by`: a friendly name or column whose values break the summary down into segments. */
  by?: string;
}

export interface ClassifyIO {
  stdin?: Readable;
  /** Where `-o -` writes. */
  stdout: Writable;
  /** Warnings and notes, one line each, for stderr. */
  warn(message: string): void;
  note(message: string): void;
  progress?(message: string): void;
  /** Progress of each phase (bytes, rows), for the CLI's bars. */
  meter?: ProgressSink;
  /** Milliseconds now; injected so tests and --as-of runs are deterministic. */
  now?: () => number;
  /** Peak resident memory so far, in MB, when the caller can tell (for the phases of the summary). */
  peakRssMb?: () => number;
  /** The process as the writers need it (pid, locks, --wait); the CLI's, or libraryEnv(cwd). */
  outputs?: OutputEnv;
}

export interface ClassifyResult {
  summary: Summary;
  /** True when rows went to `io.stdout`. */
  rowsOnStdout: boolean;
}

export const FUNNEL_COLUMNS = ['stage', 'score', 'fit', 'persona', 'contactable', 'content', 'action', 'reason', 'warnings', 'stage_since'] as const;
export const PREVIOUS_COLUMNS = ['previous_stage'] as const;

const EXT: Record<OutputFormat, string> = { csv: 'csv', json: 'json', ndjson: 'ndjson' };

interface Sink {
  format: RowFormat;
  /** Rows are appended here synchronously and written by `flush` between chunks of input. */
  out: ByteSink;
  /** After the last flush: ends what lies between the rows and the output (gzip). */
  end(): Promise<void>;
}

/** A sink writing to an output, through gzip when the -o name ends in .gz. */
function sinkOf(output: Output, format: RowFormat, gzip = false): Sink {
  const z = gzip ? gzipWriter((chunk) => output.write(chunk)) : undefined;
  return { format, out: new ByteSink((chunk) => (z ? z.write(chunk) : output.write(chunk))), end: async () => z?.end() };
}

/** An activities file without even a header: said once, and counted as no rows. */
function emptyActivities(file: string, warn: (m: string) => void): FoldStats {
  warn(`${file}: empty file, no activities read`);
  return { file, rows: 0, noKey: 0, undated: 0, afterAsOf: 0, noType: 0 };
}

export async function classify(opts: ClassifyOptions, io: ClassifyIO): Promise<ClassifyResult> {
  const now = io.now ?? Date.now;
  const started = now();
  const phases: NonNullable<Summary['phases']> = [];
  let phaseStart = started;
  const phase = (name: string): void => {
    const t = now();
    phases.push({ phase: name, ms: t - phaseStart, ...(io.peakRssMb ? { peak_rss_mb: io.peakRssMb() } : {}) });
    phaseStart = t;
  };
  if (opts.contacts.length === 0) throw new UsageError('no contacts file given', {}, 'funnel classify contacts.csv -a activities.csv');
  const stdinUses = [...opts.contacts, ...opts.activities, ...(opts.previous ? [opts.previous] : [])].filter((p) => p === '-').length;
  if (stdinUses > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  if (opts.output !== undefined && opts.outDir !== undefined) throw new UsageError('-o and --out-dir exclude each other', {}, 'choose one output');

  const loaded: LoadedRules = loadRules(opts.rules, opts.cwd);
  const { rules } = loaded;
  io.note(`rules: ${loaded.source}`);
  // Every warning also reaches the summary: cron runs with --quiet read it there.
  const fileWarnings = new WarningList();
  const warn = (m: string): void => {
    fileWarnings.add(m);
    io.warn(m);
  };
  for (const w of loaded.warnings) warn(formatProblem(w));
  const asOf = opts.asOf !== undefined ? parseAsOf(opts.asOf, rules.activities.timezone) : now();

  // The outputs, checked (never an input, writable, not locked by another run) before any input is read.
  const run = new OutputRun({ ...(io.outputs ?? libraryEnv(opts.cwd)), stdout: io.stdout, warn: io.outputs?.warn ?? warn });
  for (const p of [...opts.contacts, ...opts.activities]) run.input(p);
  if (opts.previous !== undefined) run.input(opts.previous, 'the --previous file');
  run.input(loaded.path, 'the rules file');
  const outDir = opts.output === undefined ? (opts.outDir ?? 'funnel-out') : undefined;
  const ext = EXT[opts.format];
  const stageIds = [...rules.stages.map((s) => s.id), DISQUALIFIED];
  let rowsOut: Output | undefined;
  let folder: OutputFolder | undefined;
  if (opts.output !== undefined) rowsOut = run.file(opts.output, '-o');
  else folder = run.folder(outDir!, '--out-dir', [`contacts.${ext}`, ...stageIds.map((id) => `${id}.${ext}`)]);
  if (opts.summaryFile === '-' && opts.output === '-') throw new UsageError('-o - and --summary-file - both write to standard output', {}, 'write one of them to a file');
  const summaryOut = opts.summaryFile !== undefined && opts.summaryFile !== '-' ? run.file(opts.summaryFile, '--summary-file') : undefined;
  const extra = (opts.alsoWrite ?? []).map((w) => ({ out: run.file(w.path, w.role), content: w.content }));
  await run.open();

  const read: ReadOptions = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, noHeader: opts.noHeader, skipLines: opts.skipLines, warn, parser: opts.parser };
  try {
    // 1. Activities, folded per key.
    const plan = planActivities(rules, asOf);
    const replay = opts.stageDates === true || hasSla(rules);
    if (replay && opts.stageDates !== true) io.note('the rules have an sla: stage dates are replayed from the activities (as --stage-dates)');
    const aggs = new Aggregates(plan.counters.length, replay);
    const foldStats: FoldStats[] = [];
    // Per folded file: its activity rows per key, to tell whether its keys meet the contacts' (key-overlap.ts).
    const addedRows: Uint32Array[] = [];
    const meter = new PhaseMeter(io.meter);
    const counted = (ref: InputRef): InputRef => (meter.active ? { ...ref, onBytes: meter.bytes } : ref);
    meter.start('reading activities', sizeOf(opts.activities));
    for (const path of opts.activities) {
      const onProgress = meter.active ? (n: number, own?: number) => meter.rows(n, own) : undefined;
      const table = await openTable(counted(inputRef(path)), read);
      if (table.headers.length === 0) {
        foldStats.push(emptyActivities(table.file, warn));
        addedRows.push(new Uint32Array(0));
        continue;
      }
      const fold = { rules, plan, aggs, warn, onProgress };
      const rowsBefore = aggs.rows.slice(0, aggs.size);
      if ((opts.threads ?? 1) > 1) {
        const r = await foldActivitiesInRanges(path, table, { ...fold, threads: opts.threads!, minRangeBytes: opts.minRangeBytes ?? DEFAULT_MIN_RANGE_BYTES, maxRecordSize: DEFAULT_MAX_RECORD_SIZE });
        if (r.ranges > 1) io.note(`${table.file}: folded in ${r.ranges} ranges on as many threads`);
        if (r.whole) io.note(`${table.file}: folded on one thread: ${r.whole}`);
        foldStats.push(r.stats);
      } else foldStats.push(await foldActivities(table, fold));
      addedRows.push(rowsAdded(rowsBefore, aggs));
      meter.nextFile(foldStats[foldStats.length - 1]!.rows);
    }
    for (const s of foldStats) {
      reportLongRecords(s.file, s.longRecords, opts.strict, warn);
      if (s.undated) warn(`${s.file}: ${s.undated} activity row(s) with an unparsable date count only for conditions without a time window`);
      if (s.rows && s.noKey === s.rows) warn(`${s.file}: no activity row has a key; check activities.key in the rules`);
    }

    phase('read activities');

    // 2. Contacts, first pass: keys, header union, date order.
    const contactRefs: InputRef[] = [];
    for (const p of opts.contacts) {
      if (p === '-') {
        const path = await copyStdin(io.stdin, run);
        contactRefs.push(counted({ path, name: '<stdin>' }));
      } else contactRefs.push(counted(inputRef(p)));
    }
    const contactBytes = sizeOf(contactRefs.map((r) => r.path));
    let scanned = 0;
    meter.start('scanning contacts', contactBytes);
    // Contact keys take a slot in the aggregates too: one table of keys instead of two.
    const scan = await scanContacts(contactRefs, {
      read,
      keyName: rules.contacts.key,
      normalize: rules.contacts.normalize,
      dateColumns: [...dateColumnsOf(rules), ...(rules.contacts.created ? [rules.contacts.created] : [])],
      onKey: (row, col) => {
        // The slot first: taking one may grow (replace) the arrays.
        const slot = aggs.slotOf(row, col, rules.contacts.normalize, true);
        if (slot >= 0) aggs.contactRows[slot]!++;
        meter.setRows(++scanned);
      },
    });
    for (const f of scan.files) reportLongRecords(f.ref.name, f.longRecords, opts.strict, warn);
    const contactOrder = rules.activities.dateOrder === 'auto' ? scan.dateOrder : rules.activities.dateOrder;
    if (!contactOrder && scan.ambiguousDate) {
      const a = scan.ambiguousDate;
      throw new InputError(`cannot tell the order of slash dates such as '${a.text}': no date in these columns has a day above 12`, { file: a.file, line: a.line }, 'set activities.date_order: dmy or mdy in the rules');
    }

    const contactKeys = [...new Set(scan.files.map((f) => f.headers[f.keyColumn] ?? ''))].join("', '");
    const overlaps = foldStats.map((st, i) => keyOverlap(st.file, addedRows[i]!, aggs));
    overlaps.forEach((o, i) => checkOverlap(o, foldStats[i]!.keyColumn ?? '', contactKeys, opts.strict, warn));

    phase('scan contacts');

    // The output header: the union of the contact files' columns, then the funnel columns.
    const { header, mappings } = unionHeader(scan.files);
    const withPrevious = opts.previous !== undefined;
    const added = [...FUNNEL_COLUMNS, ...(withPrevious ? PREVIOUS_COLUMNS : []), ...(replay ? stageDateColumns(rules) : [])].map((c) => `${opts.prefix}${c}`);
    const clashing = added.filter((c) => header.includes(c));
    if (clashing.length) throw new UsageError(`the contacts already have a column ${clashing[0]}`, {}, 'is this an annotated file? classify the original export, or choose another --prefix');
    const columns = [...header, ...added];
    const delimiter = opts.outputDelimiter ?? scan.files.find((f) => f.format === 'csv')?.delimiter ?? ',';
    const numeric = new Set([`${opts.prefix}score`, `${opts.prefix}fit`]);
    const makeFormat = (): RowFormat => rowFormat({ format: opts.format, columns, delimiter, numeric, bom: opts.bom, crlf: opts.crlf });

    const classifier = new Classifier(rules, { headers: header, asOf, plan, aggs, dateOrder: contactOrder, warn });
    checkFieldColumns(classifier.missing, scan.files.map((f) => f.ref.name), header, loaded.source === 'built-in', warn);
    const byCol = opts.by === undefined ? -1 : byColumn(opts.by, rules, header, scan.files.map((f) => f.ref.name).join(', '));
    const segments = opts.by === undefined ? undefined : new SegmentedSummary(rules.stages);
    const previousRun = withPrevious ? await readPrevious(opts.previous!, rules, opts.prefix, { stdin: io.stdin, warn }) : undefined;
    const previous = previousRun?.rows;
    const coverage = new PreviousCoverage();
    const stageIdx = new Map(rules.stages.map((s, i) => [s.id, i]));
    const created = replay ? createdColumn(rules, header, scan.files.map((f) => f.ref.name).join(', ')) : -1;
    const dates = replay ? new StageDates(rules, classifier, plan, aggs.events!.byContact(aggs.size), asOf) : undefined;

    // 3. Writers.
    const sinks: Sink[] = [];
    const stageSinks = new Map<string, Sink>();
    const all = rowsOut ? sinkOf(rowsOut, makeFormat(), opts.gzip) : sinkOf(folder!.file(`contacts.${ext}`), makeFormat());
    sinks.push(all);

    const summary = new SummaryBuilder(rules.stages);
    const asOfText = isoTime(asOf);
    let outRows = 0;
    const caseKeys = new CaseOnlyKeys();
    // Rows whose own bytes are what the writer would write are copied as they are, then the funnel columns.
    const funnelLine = csvLine(delimiter, opts.crlf ? '\r\n' : '\n');
    const scratch = new Array<string>(header.length).fill('');
    meter.start('classifying and writing', contactBytes);
    const flushFull = async (): Promise<void> => {
      meter.setRows(outRows);
      for (const s of sinks) if (s.out.full) await s.out.flush();
    };
    {
      all.out.text(all.format.header());
      for (let f = 0; f < scan.files.length; f++) {
        const fs = scan.files[f]!;
        const map = mappings[f]!;
        // One file whose columns are the whole header: its rows are used as they come.
        const identity = map.length === header.length && map.every((m, i) => m === i);
        // The row's own bytes only where they are what the writer would write: same delimiter.
        const copyPlain = identity && opts.format === 'csv' && fs.delimiter === delimiter;
        const table = await openTable(fs.ref, { ...read, headers: fs.headers });
        const nHeader = fs.headers.length;
        const visit = (row: Rec): void => {
          const width = row.width;
          const plain = copyPlain && width === header.length ? row.plainBytes() : undefined;
          let values: string[];
          if (plain) {
            // Only the columns the rules read: the row itself is copied.
            values = scratch;
            for (const i of classifier.columns) values[i] = row.field(i);
            if (byCol >= 0) values[byCol] = row.field(byCol);
          } else {
            const n = Math.max(width, nHeader);
            if (identity && n === header.length) {
              values = new Array<string>(n);
              for (let i = 0; i < n; i++) values[i] = row.field(i);
            } else {
              values = new Array<string>(header.length).fill('');
              for (let i = 0; i < n; i++) values[map[i]!] = row.field(i);
            }
          }
          const warnings: string[] = [];
          if (width !== nHeader && fs.format === 'csv') warnings.push(`ragged row: ${width} fields, header has ${nHeader}`);
          let slot = aggs.slotOf(row, fs.keyColumn, rules.contacts.normalize, false);
          if (slot === BLANK_KEY) {
            slot = -1;
            warnings.push('empty key');
          } else {
            const n = aggs.contactRows[slot]!;
            if (n > 1) {
              warnings.push(`duplicate key: ${n} rows`);
              if (rules.contacts.normalize === 'email') caseKeys.see(slot, row.field(fs.keyColumn));
            }
            aggs.matched[slot] = 1;
          }
          const prev = previous && slot !== -1 ? previous.get(normalizeKey(row.field(fs.keyColumn), rules.contacts.normalize)) : undefined;
          if (previous && slot !== -1) coverage.see(prev !== undefined);
          let floor = 0;
          if (prev && !rules.allowRegression) {
            const pi = stageIdx.get(prev.stage);
            if (pi !== undefined) floor = pi;
          }
          if (created >= 0 && plain) values[created] = row.field(created);
          const tl = dates?.replay(values, slot, createdAt(values, created, rules.contacts.created ?? '', rules.activities.timezone, contactOrder, warnings));
          let keptBy: string | undefined;
          if (tl && tl.floor > floor) {
            floor = tl.floor;
            keptBy = dates!.keptBy(tl);
          }
          const v = classifier.classify(values, slot, warnings, floor, keptBy);
          const cells = tl ? dates!.cells(v, tl, prev) : undefined;
          if (opts.strict && v.warnings.length) {
            throw new InputError(v.warnings[0]!, { file: table.file, line: row.line }, 'fix the row, or run without --strict');
          }
          summary.add(v);
          if (cells?.sla === 'overdue') summary.overdue(v.stageIndex);
          const since = cells ? cells.since : prev && prev.stage === v.stage && prev.since ? prev.since : asOfText;
          const added = funnelValues(v, since);
          segments?.add(values[byCol], v, cells?.sla === 'overdue');
          if (withPrevious) {
            summary.move(prev?.stage, v.stage);
            added.push(prev?.stage ?? '');
          }
          if (cells) for (const c of cells.added) added.push(c);
          const main = all.out;
          const mark = main.length;
          let out: string[] | undefined;
          if (plain) {
            main.bytes(plain, 0, plain.length);
            main.text(delimiter + funnelLine(added));
          } else {
            out = values;
            for (const a of added) out.push(a);
            main.text(all.format.row(out));
          }
          if (folder) {
            let s = stageSinks.get(v.stage);
            if (!s) {
              s = sinkOf(folder.file(`${v.stage}.${ext}`), makeFormat());
              stageSinks.set(v.stage, s);
              sinks.push(s);
              s.out.text(s.format.header());
            }
            // The same bytes in CSV and NDJSON; JSON arrays need each file's own separators.
            if (opts.format === 'json') s.out.text(s.format.row(out!));
            else s.out.copyFrom(main, mark);
          }
          outRows++;
        };
        await forEachRecord(table, visit, flushFull);
        if (outRows === 0 && fs.rows === 0) warn(`${table.file}: no contact rows`);
      }
      const caseWarning = caseKeys.warning(scan.files.map((f) => f.ref.name).join(', '));
      if (caseWarning) warn(caseWarning);
      const coverageWarning = previousRun && coverage.warning(previousRun);
      if (coverageWarning) warn(coverageWarning);
      // A file that changed between the two passes must not produce output: check before anything is renamed.
      const scanned = scan.files.reduce((a, f) => a + f.rows, 0);
      if (scanned !== outRows) throw new InputError(`read ${scanned} contact rows in the first pass but ${outRows} in the second`, { file: scan.files.map((f) => f.ref.name).join(', ') }, 'was the file changed during the run?');
      for (const s of sinks) s.out.text(s.format.footer());
      for (const s of sinks) {
        await s.out.flush();
        await s.end();
      }
    }

    phase('classify and write');
    // A stage without contacts today keeps no file of yesterday: the commit removes what the manifest lists.
    const files: string[] = [];
    if (opts.output !== undefined) {
      if (opts.output !== '-') files.push(opts.output);
    } else {
      files.push(join(outDir!, `contacts.${ext}`));
      for (const id of stageIds) if (stageSinks.has(id)) files.push(join(outDir!, `${id}.${ext}`));
    }

    const result: Summary = summary.build({
      tool: { name: 'funnel', version: VERSION },
      as_of: asOfText,
      rules: { source: loaded.source, sha256: loaded.sha256 },
      inputs: {
        contacts: scan.files.map((f) => ({ file: f.ref.name, rows: f.rows })),
        activities: foldStats.map((s, i) => ({ file: s.file, rows: s.rows, without_key: s.noKey, without_type: s.noType, undated: s.undated, after_as_of: s.afterAsOf, unmatched: overlaps[i]!.unmatched })),
      },
      output: { rows: outRows, format: opts.format, files },
      unmatched_activity_rows: aggs.unmatchedRows() + foldStats.reduce((a, s) => a + s.noKey, 0),
      undated_activity_rows: foldStats.reduce((a, s) => a + s.undated, 0),
      warnings: fileWarnings.list(),
      duration_ms: now() - started,
      phases,
    });
    if (segments) Object.assign(result, { by: opts.by, segments: segments.build() });
    if (summaryOut) await summaryOut.write(renderSummaryJson(result));
    for (const x of extra) await x.out.write(await x.content(result));
    await run.commit();
    if (opts.output === '-') await flush(io.stdout);
    return { summary: result, rowsOnStdout: opts.output === '-' };
  } finally {
    run.abort();
  }
}

/** The bytes of the files at these paths, for progress; undefined when one is standard input or unreadable. */
function sizeOf(paths: readonly string[]): number | undefined {
  let total = 0;
  for (const p of paths) {
    if (p === '-') return undefined;
    try {
      total += statSync(p).size;
    } catch {
      return undefined;
    }
  }
  return total;
}

async function flush(stream: Writable): Promise<void> {
  if ((stream as { isTTY?: boolean }).isTTY || stream.writableLength === 0) return;
  await new Promise<void>((res) => stream.write('', () => res()));
}

