/**
 * Finding the columns the rules name — the one place every command resolves them. A named column is found
 * exactly, then ignoring case, spaces and `_` (`JobTitle` finds `Job Title`), then as the end of a flattened
 * JSON key (`Email` finds `properties.Email`), the shallowest (fewest dots) whatever record came first. A name
 * that is not found, or that finds several columns equally well, is an error (exit 3) listing the file's columns
 * with a "did you mean": columns are never guessed behind the user's back. Only where the rules name no key is
 * one chosen, by its values (most of them look like email addresses), and the caller says which.
 */
import { InputError } from '../errors.js';
import { columnList, didYouMean, findColumn, guessColumn, EMAIL_COLUMN } from '../values/headers.js';
import { sampleRows, type Table } from './table.js';

export interface ColumnNeed {
  /** What the column holds, for messages: `key`, `activity type`, `field 'industry'`. */
  what: string;
  name: string;
  /** Where the rules name it: `contacts.key`, `fields.industry`. */
  rulesKey: string;
}

/** The error for a named column a file lacks (or matches ambiguously). */
export function missingColumn(file: string, headers: readonly string[], need: ColumnNeed, ambiguous?: string[]): InputError {
  if (ambiguous) {
    return new InputError(`the ${need.what} column '${need.name}' matches several columns equally (${ambiguous.join(', ')})`, { file, line: 1 }, `set ${need.rulesKey} in the rules to one of them`);
  }
  // A title or `#` comment read as the header: the lines before the real one are to be skipped.
  const title = headers[0]?.trimStart().startsWith('#') ? ' (the first line looks like a comment: --skip-lines 1 skips it)' : '';
  return new InputError(`no ${need.what} column '${need.name}'`, { file, line: 1 }, `${didYouMean(need.name, headers)}set ${need.rulesKey} in the rules to one of: ${columnList(headers)}${title}`);
}

/** The index of a column the rules name; throws (exit 3) when the file lacks it. */
export function resolveColumn(table: { headers: readonly string[]; file: string }, need: ColumnNeed): number {
  const m = findColumn(table.headers, need.name);
  if (m.index === -1) throw missingColumn(table.file, table.headers, need, m.ambiguous);
  return m.index;
}

const EMAIL_LIKE = /^[^\s@",;<>]+@[^\s@",;<>]+\.[^\s@",;<>.]{2,}$/;

export function looksLikeEmail(v: string): boolean {
  return EMAIL_LIKE.test(v.trim());
}

/**
 * The column most of whose non-empty values look like email addresses (the most such values wins; the first on a
 * tie), among `candidates` (all columns by default); -1 when none does. `rows` is a sample of the file's rows.
 */
export function emailColumnByValues(headers: readonly string[], rows: readonly (readonly string[])[], candidates?: readonly number[]): number {
  let best = -1;
  let bestCount = 0;
  for (const i of candidates ?? headers.map((_, j) => j)) {
    let filled = 0;
    let emails = 0;
    for (const r of rows) {
      const v = r[i] ?? '';
      if (v.trim() === '') continue;
      filled++;
      if (looksLikeEmail(v)) emails++;
    }
    if (emails * 2 > filled && emails > bestCount) {
      best = i;
      bestCount = emails;
    }
  }
  return best;
}

/** Rows read to choose a key column by its values. */
export const SAMPLE_ROWS = 200;

/**
 * The key column of a table: the one the rules name (`need`; an error when the file lacks it), else — the rules
 * name none — the column whose values look like email addresses, said through `say`. `among` limits the choice
 * (an annotated file's own columns). The table returned is the one to read: choosing reads a sample of rows.
 */
export async function keyColumn(table: Table, need: ColumnNeed | undefined, say: (m: string) => void, among: (h: string) => boolean = () => true): Promise<{ index: number; table: Table }> {
  if (need) return { index: resolveColumn(table, need), table };
  const { sample, table: again } = await sampleRows(table, SAMPLE_ROWS);
  const candidates = table.headers.flatMap((h, i) => (among(h) ? [i] : []));
  let index = emailColumnByValues(table.headers, sample, candidates);
  if (index === -1 && sample.length === 0) {
    // No rows: nothing to join; the header's email-like name, for the record.
    const g = guessColumn(candidates.map((i) => table.headers[i]!), EMAIL_COLUMN);
    index = g === -1 ? -1 : candidates[g]!;
  }
  if (index === -1) {
    throw new InputError('the rules name no key column, and no column holds values that look like email addresses', { file: table.file, line: 1 }, `set contacts.key in the rules to one of: ${columnList(candidates.map((i) => table.headers[i]!))}`);
  }
  say(`${table.file}: the rules name no key column; using '${table.headers[index]}', whose values look like email addresses — set contacts.key to choose`);
  return { index, table: again };
}


