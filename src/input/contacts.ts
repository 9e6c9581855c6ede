/**
 * The first of the two passes over the contacts: header union, keys (counted by the caller, so that every row
 * of a duplicate key is flagged, the first one too), ragged widths, and the order of slash dates in
 * date-compared columns.
 * It reads rows and keeps only these small facts.
 */
import { InputError } from '../errors.js';
import { keyColumn, type ColumnNeed } from './columns.js';
import { findColumn } from '../values/headers.js';
import { slashHint, type DateOrder } from '../values/dates.js';
import { forEachRecord, openTable, readUntil, type ReadOptions, type Rec, type Table } from './table.js';
import type { InputRef } from './bytes.js';
import { LONG_RECORD_LINES, noteLongRecord, type LongRecords } from './long-records.js';

export interface ContactFileScan {
  ref: InputRef;
  headers: string[];
  /** Headers plus `column_N` names for fields beyond the header on ragged rows. */
  width: number;
  delimiter: string;
  format: Table['format'];
  rows: number;
  keyColumn: number;
  /** Records spanning many lines (a stray quote?). */
  longRecords?: LongRecords;
  /** Where the second pass cuts the file for its threads, when it does (ScanOptions.cutsOf). */
  cuts?: ContactCuts;
}

/** A file's cuts (file offsets), and per cut the index of the row starting right there (-1: none does). */
export interface ContactCuts {
  starts: readonly number[];
  firstRows: readonly number[];
}

export interface ContactScan {
  files: ContactFileScan[];
  /** Slash-date order decided from the date-compared columns, when any decided it. */
  dateOrder?: DateOrder;
  /** An ambiguous slash date seen in those columns, when no value decided the order. */
  ambiguousDate?: { file: string; line: number; text: string };
}

export interface ScanOptions {
  read: Omit<ReadOptions, 'headers'>;
  keyName?: string;
  normalize: 'email' | 'exact';
  /** Column names compared as dates by the rules. */
  dateColumns: readonly string[];
  /** Called with each row and its key column, for duplicate counts (the caller reads the key as it needs it). */
  onKey?: (row: Rec, keyColumn: number) => void;
  /** Where the second pass will cut the file (file offsets), for the index of the row at each cut. */
  cutsOf?: (ref: InputRef, table: Table) => readonly number[];
}

/** The contacts' key: `contacts.key` when the rules name it (an error when a file lacks it), else chosen by its values. */
export function contactKeyNeed(keyName: string | undefined): ColumnNeed | undefined {
  return keyName === undefined ? undefined : { what: 'key', name: keyName, rulesKey: 'contacts.key' };
}

export async function scanContacts(refs: readonly InputRef[], opts: ScanOptions): Promise<ContactScan> {
  const files: ContactFileScan[] = [];
  let dateOrder: DateOrder | undefined;
  let ambiguousDate: ContactScan['ambiguousDate'];
  for (const ref of refs) {
    const opened = await openTable(ref, opts.read);
    if (opened.headers.length === 0) throw new InputError(opened.format === 'csv' ? 'empty file: no header row' : 'empty file: no records', { file: opened.file }, opened.format === 'csv' ? 'export again with a header row naming the columns' : 'export again; the file holds no contacts');
    const { index: keyIndex, table } = await keyColumn(opened, contactKeyNeed(opts.keyName), opts.read.warn);
    const dateIdx = opts.dateColumns.map((c) => findColumn(table.headers, c).index).filter((i) => i >= 0);
    let width = table.headers.length;
    let rows = 0;
    let longRecords: LongRecords | undefined;
    const visit = (row: Rec): void => {
      rows++;
      if (row.lines !== undefined && row.lines > LONG_RECORD_LINES) longRecords = noteLongRecord(longRecords, row);
      if (row.width > width) width = row.width;
      opts.onKey?.(row, keyIndex);
      if (dateOrder === undefined) {
        for (const i of dateIdx) {
          const text = row.field(i);
          const h = slashHint(text);
          if (h === 'dmy' || h === 'mdy') dateOrder = h;
          else if (h === 'ambiguous' && !ambiguousDate) ambiguousDate = { file: table.file, line: row.line, text: text.trim() };
        }
      }
    };
    // Read up to each cut in turn, to know which row starts there: a range's thread then knows its rows' indexes.
    const starts = table.records.offsets ? (opts.cutsOf?.(ref, table) ?? []) : [];
    const firstRows: number[] = [];
    for (const cut of starts) firstRows.push((await readUntil(table, visit, cut)) === 'exact' ? rows : -1);
    await forEachRecord(table, visit);
    files.push({ ref, headers: [...table.headers], width, delimiter: table.delimiter, format: table.format, rows, keyColumn: keyIndex, longRecords, ...(starts.length ? { cuts: { starts, firstRows } } : {}) });
  }
  return { files, dateOrder, ambiguousDate: dateOrder ? undefined : ambiguousDate };
}
