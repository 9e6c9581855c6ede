/**
 * A thread of `--threads` that classifies one byte range of the contacts file and writes its annotated rows —
 * the very bytes the main thread would write for them — to spool files, one for all contacts and one per stage,
 * which the main thread appends after its own range (annotated-ranges.ts). The aggregates are read in memory the
 * threads share; what the rows tell as a whole (counts, repeated keys) is sent back for the main thread to add.
 */
import { runRangeJob } from '../util/range-job.js';
import { readByteRange, type ByteRange, type RangeEnd } from '../input/byte-range.js';
import { CaseKeySightings } from '../input/case-keys.js';
import type { ContactFileScan } from '../input/contacts.js';
import type { Rules } from '../rules/model.js';
import type { DateOrder } from '../values/dates.js';
import { planActivities } from '../aggregate/plan.js';
import { Aggregates, type SharedAggregates } from '../aggregate/store.js';
import { Classifier } from '../classify/classifier.js';
import { StageDates } from '../classify/stage-dates.js';
import type { ContactEvents } from '../aggregate/events.js';
import { AnnotatedRows, type RowHints } from './annotated-rows.js';
import { AnnotatedSinks, type RowOutputs } from './annotated-sinks.js';
import { Spool } from './spool.js';
import { rowFormat, type RowFormatOptions } from './rows.js';
import { SummaryBuilder, type SummaryCounts } from './summary.js';

export interface AnnotatedRangeInput extends ByteRange {
  rules: Rules;
  asOf: number;
  asOfText: string;
  dateOrder?: DateOrder;
  /** The contacts file as the first pass saw it (its `ref` left out: it does not cross threads). */
  scan: Omit<ContactFileScan, 'ref'>;
  /** The output header without the funnel columns, and where the file's fields go in it. */
  header: string[];
  map: number[];
  /** The output's rows (CSV or NDJSON; JSON arrays are written on one thread). */
  format: Omit<RowFormatOptions, 'bom'> & { format: 'csv' | 'ndjson' };
  crlf?: boolean;
  aggs: SharedAggregates;
  /** The replay (stage dates): the activities' events per contact, in shared memory, and the `created` column (-1: none). */
  events?: ContactEvents;
  created: number;
  /** The first pass's slots per row, and the index there of this range's first row (RowHints). */
  hints?: RowHints;
  /** Spool files: of all rows, and of each stage's (`--out-dir`), made by the main thread. */
  spools: { all: string; stages?: Record<string, string> };
}

export type FromAnnotatedRange =
  | { type: 'progress'; rows: number }
  | { type: 'done'; ended: RangeEnd; rows: number; summary: SummaryCounts; caseKeys: [number, string][]; stagesWritten: string[] }
  | { type: 'failed'; reason: string };

const PROGRESS_EVERY = 1 << 14;

function spoolOutputs(input: AnnotatedRangeInput): RowOutputs & { spools: Map<string | undefined, Spool> } {
  const spools = new Map<string | undefined, Spool>([[undefined, new Spool(input.spools.all)]]);
  const stageSpool = (stage: string): Spool => {
    const path = input.spools.stages?.[stage];
    if (path === undefined) throw new Error(`no spool file for stage ${stage}`);
    if (!spools.has(stage)) spools.set(stage, new Spool(path));
    return spools.get(stage)!;
  };
  return { ext: input.format.format, byStage: input.spools.stages !== undefined, allRows: () => spools.get(undefined)!, stageRows: stageSpool, spools };
}

async function classifyRange(input: AnnotatedRangeInput, send: (m: FromAnnotatedRange) => void): Promise<void> {
  const { rules, asOf } = input;
  const aggs = Aggregates.attach(input.aggs);
  const plan = planActivities(rules, asOf);
  const classifier = new Classifier(rules, { headers: input.header, asOf, plan, aggs, dateOrder: input.dateOrder, warn: () => {} });
  const dates = input.events ? new StageDates(rules, classifier, plan, input.events, asOf) : undefined;
  const outputs = spoolOutputs(input);
  // Headers and footers are the main thread's: the rows here go between them.
  const format = rowFormat(input.format);
  const sinks = new AnnotatedSinks(outputs, () => ({ header: () => '', row: format.row, footer: () => '' }));
  const summary = new SummaryBuilder(rules.stages);
  const caseKeys = new CaseKeySightings();
  const csv = input.format.format === 'csv';
  const rows = new AnnotatedRows({ rules, classifier, aggs, header: input.header, sinks, csv, delimiter: input.format.delimiter, crlf: input.crlf, strict: false, asOfText: input.asOfText, dateOrder: input.dateOrder, summary, dates, created: input.created, caseKeys, hints: input.hints });
  rows.startFile({ ...input.scan, ref: { path: input.path, name: input.file } }, input.file, input.map);
  let reported = 0;
  try {
    const ended = await readByteRange(input, rows.visit, async () => {
      await sinks.flushFull();
      if (rows.rows - reported < PROGRESS_EVERY) return;
      reported = rows.rows;
      send({ type: 'progress', rows: reported });
    });
    await sinks.end();
    const stagesWritten = Object.keys(input.spools.stages ?? {}).filter((s) => sinks.wrote(s));
    send({ type: 'done', ended, rows: rows.rows, summary: summary.countsData(), caseKeys: caseKeys.seen, stagesWritten });
  } finally {
    for (const s of outputs.spools.values()) s.close();
  }
}

runRangeJob<AnnotatedRangeInput, FromAnnotatedRange>(classifyRange);
