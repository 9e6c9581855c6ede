/**
 * The second pass of `classify`, per contact row: its values gathered into the union header, its key's slot and
 * row warnings, the floor of a previous run or of the replay, the verdict, the summary counts, and the annotated
 * row written. The hot loop of classify-and-write (issue 17): a row whose own bytes are what the writer would
 * write is copied as those bytes, followed by the funnel columns, and only the fields the rules read are decoded.
 */
import { InputError } from '../errors.js';
import type { ContactFileScan } from '../input/contacts.js';
import { CaseOnlyKeys } from '../input/case-keys.js';
import { FieldTexts } from '../input/field-texts.js';
import type { Rec } from '../input/table.js';
import type { Rules } from '../rules/model.js';
import { normalizeKey } from '../values/keys.js';
import type { DateOrder } from '../values/dates.js';
import { BLANK_KEY, type Aggregates } from '../aggregate/store.js';
import { PreviousCoverage, type PreviousRow, type PreviousRun } from '../aggregate/previous-run.js';
import type { Classifier, Verdict } from '../classify/classifier.js';
import { duplicateKey, EMPTY_KEY } from '../classify/reasons.js';
import { createdAt, type StageDates } from '../classify/stage-dates.js';
import type { ContactTimeline } from '../classify/timeline.js';
import { funnelValues } from './annotation.js';
import type { AnnotatedSinks } from './annotated-sinks.js';
import type { SummaryBuilder } from './summary.js';
import type { SegmentedSummary } from './summary-segments.js';

/**
 * The first pass's slot per contact row (ContactKeys.slots), and the index there of this pass's first row (-1:
 * unknown). A hint only: a row takes its slot when its key's bytes are that slot's key, else it is looked up.
 */
export interface RowHints {
  slots: Int32Array;
  first: number;
}

/** The hint for row `i` of a pass (-1: none). */
export function hintAt(h: RowHints | undefined, i: number): number {
  return h && h.first >= 0 ? (h.slots[h.first + i] ?? -1) : -1;
}

export interface AnnotatedRowsOptions {
  rules: Rules;
  classifier: Classifier;
  aggs: Aggregates;
  /** The output header without the funnel columns: the union of the contact files' columns. */
  header: readonly string[];
  sinks: AnnotatedSinks;
  /** Rows may be copied as their bytes (CSV output with `delimiter`). */
  csv: boolean;
  delimiter: string;
  crlf?: boolean;
  strict: boolean;
  asOfText: string;
  dateOrder?: DateOrder;
  summary: SummaryBuilder;
  /** `--by`: its column in the header, and the summary per value. */
  by?: { column: number; segments: SegmentedSummary };
  previous?: PreviousRun;
  /** The replay (`--stage-dates`), and the header's `contacts.created` column (-1: none). */
  dates?: StageDates;
  created: number;
  /** Where rows of repeated keys are seen (a thread of `--threads` keeps them for the main thread). */
  caseKeys?: CaseOnlyKeys;
  hints?: RowHints;
}

/** One contacts file as the second pass reads it. */
interface FileState {
  name: string;
  scan: ContactFileScan;
  map: readonly number[];
  /** The file's columns are the whole header, in order: its rows are used as they come. */
  identity: boolean;
  /** Its rows' own bytes are what the writer would write (same delimiter). */
  copyPlain: boolean;
}

export class AnnotatedRows {
  /** Rows written. */
  rows = 0;
  private readonly caseKeys: CaseOnlyKeys;
  private readonly coverage = new PreviousCoverage();
  private readonly eol: string;
  private readonly scratch: string[];
  private readonly width: number;
  private readonly allowRegression: boolean;
  /** The fields the rules read, each distinct value decoded once. */
  private readonly texts = new FieldTexts();
  private file!: FileState;

  constructor(private readonly o: AnnotatedRowsOptions) {
    this.caseKeys = o.caseKeys ?? new CaseOnlyKeys();
    this.eol = o.crlf ? '\r\n' : '\n';
    this.width = o.header.length;
    this.scratch = new Array<string>(this.width).fill('');
    this.allowRegression = o.rules.allowRegression;
  }

  /** The next file's rows come; `map` places its fields in the header. */
  startFile(scan: ContactFileScan, name: string, map: readonly number[]): void {
    const identity = map.length === this.width && map.every((m, i) => m === i);
    this.file = { name, scan, map, identity, copyPlain: identity && this.o.csv && scan.delimiter === this.o.delimiter };
  }

  visit = (row: Rec): void => {
    const o = this.o;
    const plain = this.file.copyPlain && row.width === this.width ? row.plainBytes() : undefined;
    const values = plain ? this.picked(row) : this.spread(row);
    const warnings: string[] = [];
    const nHeader = this.file.scan.headers.length;
    if (row.width !== nHeader && this.file.scan.format === 'csv') warnings.push(`ragged row: ${row.width} fields, header has ${nHeader}`);
    const slot = this.slotOf(row, warnings);
    const prev = o.previous && slot !== -1 ? o.previous.get(normalizeKey(row.field(this.file.scan.keyColumn), o.rules.contacts.normalize)) : undefined;
    if (o.previous && slot !== -1) this.coverage.see(prev !== undefined);
    let floor = prev && !this.allowRegression && prev.index >= 0 ? prev.index : 0;
    if (o.created >= 0 && plain) values[o.created] = row.field(o.created);
    const tl = o.dates?.replay(values, slot, createdAt(values, o.created, o.rules.contacts.created, o.rules.activities.timezone, o.dateOrder, warnings));
    let keptBy: string | undefined;
    if (tl && tl.floor > floor) {
      floor = tl.floor;
      keptBy = o.dates!.keptBy(tl);
    }
    const v = o.classifier.classify(values, slot, warnings, floor, keptBy);
    if (o.strict && v.warnings.length) throw new InputError(v.warnings[0]!, { file: this.file.name, line: row.line }, 'fix the row, or run without --strict');
    this.write(v, values, plain, this.added(v, values, tl, prev));
  };

  /** The values of a row copied as its bytes: only the columns the rules (and --by) read. */
  private picked(row: Rec): string[] {
    const values = this.scratch;
    const texts = this.texts;
    for (const i of this.o.classifier.columns) values[i] = texts.field(row, i);
    if (this.o.by) values[this.o.by.column] = texts.field(row, this.o.by.column);
    return values;
  }

  /** Every value of a row, placed in the header. */
  private spread(row: Rec): string[] {
    const n = Math.max(row.width, this.file.scan.headers.length);
    let values: string[];
    if (this.file.identity && n === this.width) {
      values = new Array<string>(n);
      for (let i = 0; i < n; i++) values[i] = row.field(i);
    } else {
      const map = this.file.map;
      values = new Array<string>(this.width).fill('');
      for (let i = 0; i < n; i++) values[map[i]!] = row.field(i);
    }
    return values;
  }

  /** The row's aggregate slot (-1: no key), its key's warnings, the key claimed. */
  private slotOf(row: Rec, warnings: string[]): number {
    const { aggs, rules } = this.o;
    const col = this.file.scan.keyColumn;
    const slot = aggs.hintedSlot(row, col, rules.contacts.normalize, hintAt(this.o.hints, this.rows));
    if (slot === BLANK_KEY) {
      warnings.push(EMPTY_KEY);
      return -1;
    }
    const n = aggs.contactRows[slot]!;
    if (n > 1) {
      warnings.push(duplicateKey(n));
      if (rules.contacts.normalize === 'email') this.caseKeys.see(slot, row.field(col));
    }
    aggs.matched[slot] = 1;
    return slot;
  }

  /** Counted in the summaries; the funnel columns' values. */
  private added(v: Verdict, values: readonly string[], tl: ContactTimeline | undefined, prev: PreviousRow | undefined): string[] {
    const o = this.o;
    const cells = tl ? o.dates!.cells(v, tl, prev) : undefined;
    o.summary.add(v);
    if (cells?.sla === 'overdue') o.summary.overdue(v.stageIndex);
    const since = cells ? cells.since : prev && prev.stage === v.stage && prev.since ? prev.since : o.asOfText;
    const added = funnelValues(v, since);
    o.by?.segments.add(values[o.by.column], v, cells?.sla === 'overdue');
    if (o.previous) {
      o.summary.move(prev?.stage, v.stage);
      added.push(prev?.stage ?? '');
    }
    if (cells) for (const c of cells.added) added.push(c);
    return added;
  }

  private write(v: Verdict, values: string[], plain: Uint8Array | undefined, added: readonly string[]): void {
    const sinks = this.o.sinks;
    const main = sinks.main;
    const mark = main.length;
    let out: string[] | undefined;
    if (plain) {
      main.bytes(plain, 0, plain.length);
      main.csvCells(added, this.o.delimiter, this.eol);
    } else {
      out = values;
      for (const a of added) out.push(a);
      if (this.o.csv) main.csvRow(out, this.o.delimiter, this.eol);
      else main.text(sinks.format.row(out));
    }
    sinks.toStage(v.stage, mark, out);
    this.rows++;
  }

  /** The rows another thread classified and wrote, after these: counted, and their repeated keys seen. */
  adopt(rows: number, caseKeys: readonly (readonly [number, string])[]): void {
    this.rows += rows;
    this.caseKeys.seeAll(caseKeys);
  }

  /** After the last file: what the rows as a whole tell (keys differing in case, a previous run missing many). */
  warnings(files: string): string[] {
    const out: string[] = [];
    const caseWarning = this.caseKeys.warning(files);
    if (caseWarning) out.push(caseWarning);
    const coverageWarning = this.o.previous && this.coverage.warning(this.o.previous);
    if (coverageWarning) out.push(coverageWarning);
    return out;
  }
}
