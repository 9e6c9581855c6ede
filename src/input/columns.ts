/**
 * Finding the columns the rules name — the one place every command resolves them. A named column is found
 * exactly, then ignoring case, spaces and `_` (`JobTitle` finds `Job Title`), then as the end of a flattened
 * JSON key (`Email` finds `properties.Email`), the shallowest (fewest dots) whatever record came first. A name
 * that is not found, or that finds several columns equally well, is an error (exit 3) listing the file's columns
 * with a "did you mean": columns are never guessed behind the user's back. Only where the rules name no key is
 * one chosen, by its values (most of them look like email addresses), and the caller says which.
 */
import { InputError } from '../errors.js';
import { closest } from '../util/text.js';
import { sampleRows, type Table } from './table.js';

export interface ColumnMatch {
  index: number;
  name?: string;
  /** Several columns match equally well (a tie): the name cannot choose. */
  ambiguous?: string[];
}

/** A header as loose lookup sees it: case, blanks and `_` ignored (`Job Title`, `JobTitle`, `job_title`). */
function loose(h: string): string {
  return h.toLowerCase().replace(/[\s_]+/g, '');
}

function dots(h: string): number {
  let n = 0;
  for (let i = h.indexOf('.'); i !== -1; i = h.indexOf('.', i + 1)) n++;
  return n;
}

function unique(headers: readonly string[], hits: number[]): ColumnMatch | undefined {
  if (hits.length === 1) return { index: hits[0]!, name: headers[hits[0]!]! };
  if (hits.length > 1) return { index: -1, ambiguous: hits.map((i) => headers[i]!) };
  return undefined;
}

export function findColumn(headers: readonly string[], name: string): ColumnMatch {
  const exact = headers.indexOf(name);
  if (exact !== -1) return { index: exact, name };
  const want = loose(name.trim());
  if (want === '') return { index: -1 };
  const l = unique(
    headers,
    headers.flatMap((h, i) => (loose(h) === want ? [i] : [])),
  );
  if (l) return l;
  // The end of a flattened key: the shallowest wins, a tie is an error.
  const suffix = `.${name.trim().toLowerCase()}`;
  let best = Infinity;
  let hits: number[] = [];
  headers.forEach((h, i) => {
    if (!h.toLowerCase().endsWith(suffix)) return;
    const d = dots(h);
    if (d < best) {
      best = d;
      hits = [i];
    } else if (d === best) hits.push(i);
  });
  return unique(headers, hits) ?? { index: -1 };
}

/** The file's columns, for a hint: the first dozen. */
export function columnList(headers: readonly string[]): string {
  return headers.length === 0 ? '(none)' : `${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`;
}

/** "did you mean 'X'?" for a name against the headers, or ''. */
export function didYouMean(name: string, headers: readonly string[]): string {
  const g = closest(name, headers);
  return g ? `did you mean '${g}'? ` : '';
}

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

/** Header names of email columns: for a key chosen in a file without rows, and for test cases (rules/cases.ts). */
export const EMAIL_COLUMN = [/^e-?mail$/i, /^e-?mail[ _.-]?address$/i, /(^|\.)e-?mail$/i, /e-?mail/i];

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

/** The first column whose name matches one of the patterns, tried in order (type and time the rules leave unnamed). */
export function guessColumn(headers: readonly string[], patterns: readonly RegExp[]): number {
  for (const p of patterns) {
    const i = headers.findIndex((h) => p.test(h.trim()));
    if (i !== -1) return i;
  }
  return -1;
}

export const TYPE_COLUMN = [/^activity[ _]?type$/i, /^event[ _]?type$/i, /^type$/i, /^(activity|event|action)$/i, /(^|\.)(activity_?type|event_?type|type)$/i];
export const TIME_COLUMN = [/^activity[ _]?date$/i, /^(timestamp|date|time|datetime|occurred[ _]?at|created[ _]?at|event[ _]?date|event[ _]?time)$/i, /(^|\.)(timestamp|occurred_?at|created_?at|date)$/i, /date|time/i];
