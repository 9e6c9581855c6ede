/**
 * A quoted field that swallows many lines: a stray quote makes the reader take the lines after it into one field
 * until the next quote (one real export lost 68 lines so). The rows are not lost to the count, but they are
 * wrong: a warning names the record's first line and its length, and under --strict it is an error.
 */
import { InputError } from '../errors.js';
import type { Rec } from './record.js';

/** Records spanning more lines than this are reported. */
export const LONG_RECORD_LINES = 20;

export interface LongRecords {
  /** The first such record: its line and the lines it spans. */
  line: number;
  lines: number;
  count: number;
}

/** Notes a record spanning more than LONG_RECORD_LINES lines (the caller checks `row.lines` first). */
export function noteLongRecord(acc: LongRecords | undefined, row: Rec): LongRecords {
  if (!acc) return { line: row.line, lines: row.lines ?? 1, count: 1 };
  acc.count++;
  return acc;
}

/** Merges what two ranges of one file noted: the first in the file wins. */
export function mergeLongRecords(a: LongRecords | undefined, b: LongRecords | undefined): LongRecords | undefined {
  if (!a || !b) return a ?? b;
  const first = a.line <= b.line ? a : b;
  return { line: first.line, lines: first.lines, count: a.count + b.count };
}

export function reportLongRecords(file: string, lr: LongRecords | undefined, strict: boolean, warn: (m: string) => void): void {
  if (!lr) return;
  const more = lr.count > 1 ? ` (and ${lr.count - 1} more such record${lr.count > 2 ? 's' : ''})` : '';
  const what = `a quoted field opened on line ${lr.line} spans ${lr.lines} lines${more}`;
  const hint = 'a stray quote? check the quotes on that line';
  if (strict) throw new InputError(what, { file, line: lr.line }, `${hint}, or run without --strict`);
  warn(`${file}:${lr.line}: ${what} — ${hint}`);
}
