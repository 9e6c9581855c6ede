/**
 * Header names as the rules name them: a column found exactly, then ignoring case, spaces and `_` (`JobTitle`
 * finds `Job Title`), then as the end of a flattened JSON key (`Email` finds `properties.Email`), the shallowest
 * (fewest dots). Plain values, below input, rules and classify alike; resolving a column of a file, with its
 * error, is input/columns.ts.
 */
import { closest } from '../util/text.js';

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

/** Header names of email columns: for a key chosen in a file without rows, and for test cases (rules/cases.ts). */
export const EMAIL_COLUMN = [/^e-?mail$/i, /^e-?mail[ _.-]?address$/i, /(^|\.)e-?mail$/i, /e-?mail/i];

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
