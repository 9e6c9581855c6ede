/**
 * The first of the two passes over the contacts: header union, keys (counted by the caller, so that every row
 * of a duplicate key is flagged, the first one too), ragged widths, and the order of slash dates in
 * date-compared columns.
 * It reads rows and keeps only these small facts.
 */
import { InputError } from '../errors.js';
import { findColumn, guessColumn, EMAIL_COLUMN } from './columns.js';
import { slashHint, type DateOrder } from './dates.js';
import { forEachRecord, openTable, type ReadOptions, type Rec, type Table } from './table.js';
import type { InputRef } from './bytes.js';

export interface ContactFileScan {
  ref: InputRef;
  headers: string[];
  /** Headers plus `column_N` names for fields beyond the header on ragged rows. */
  width: number;
  delimiter: string;
  format: Table['format'];
  rows: number;
  keyColumn: number;
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
}

export function contactKeyColumn(table: Pick<Table, 'headers' | 'file'>, keyName: string | undefined, warn: (m: string) => void): number {
  if (keyName !== undefined) {
    const m = findColumn(table.headers, keyName);
    if (m.index !== -1) return m.index;
    const g = m.ambiguous ? -1 : guessColumn(table.headers, EMAIL_COLUMN);
    if (g !== -1) {
      warn(`${table.file}: no key column '${keyName}'; using '${table.headers[g]}' — set contacts.key to choose`);
      return g;
    }
    throw new InputError(
      m.ambiguous ? `the key column '${keyName}' matches several columns (${m.ambiguous.join(', ')})` : `no key column '${keyName}'`,
      { file: table.file, line: 1 },
      `set contacts.key in the rules to one of: ${table.headers.slice(0, 12).join(', ')}${table.headers.length > 12 ? ', …' : ''}`,
    );
  }
  const g = guessColumn(table.headers, EMAIL_COLUMN);
  if (g === -1) throw new InputError('no column looks like an email to join contacts and activities', { file: table.file, line: 1 }, `set contacts.key in the rules; columns are: ${table.headers.slice(0, 12).join(', ')}`);
  return g;
}

export async function scanContacts(refs: readonly InputRef[], opts: ScanOptions): Promise<ContactScan> {
  const files: ContactFileScan[] = [];
  let dateOrder: DateOrder | undefined;
  let ambiguousDate: ContactScan['ambiguousDate'];
  for (const ref of refs) {
    const table = await openTable(ref, opts.read);
    let keyColumn = -1;
    let dateIdx: number[] = [];
    let width = table.headers.length;
    let rows = 0;
    const resolve = (): void => {
      keyColumn = contactKeyColumn(table, opts.keyName, opts.read.warn);
      dateIdx = opts.dateColumns.map((c) => findColumn(table.headers, c).index).filter((i) => i >= 0);
    };
    if (table.headers.length === 0 && table.format === 'csv') throw new InputError('empty file: no header row', { file: table.file }, 'export again with a header row naming the columns');
    if (table.format === 'csv') resolve();
    await forEachRecord(table, (row) => {
      if (keyColumn === -1) resolve();
      rows++;
      if (row.width > width) width = row.width;
      opts.onKey?.(row, keyColumn);
      if (dateOrder === undefined) {
        for (const i of dateIdx) {
          const text = row.field(i);
          const h = slashHint(text);
          if (h === 'dmy' || h === 'mdy') dateOrder = h;
          else if (h === 'ambiguous' && !ambiguousDate) ambiguousDate = { file: table.file, line: row.line, text: text.trim() };
        }
      }
    });
    if (keyColumn === -1) {
      if (table.headers.length === 0) throw new InputError('empty file: no records', { file: table.file }, 'export again; the file holds no contacts');
      resolve();
    }
    files.push({ ref, headers: [...table.headers], width, delimiter: table.delimiter, format: table.format, rows, keyColumn });
  }
  return { files, dateOrder, ambiguousDate: dateOrder ? undefined : ambiguousDate };
}
