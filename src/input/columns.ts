/**
 * Finding a column that the rules name: exactly, then ignoring case and spaces, then as the last part of a
 * flattened JSON key (`Email` finds `properties.email`) when exactly one does.
 */

export interface ColumnMatch {
  index: number;
  name?: string;
  ambiguous?: string[];
}

export function findColumn(headers: readonly string[], name: string): ColumnMatch {
  const exact = headers.indexOf(name);
  if (exact !== -1) return { index: exact, name };
  const folded = name.trim().toLowerCase();
  const loose = headers.findIndex((h) => h.trim().toLowerCase() === folded);
  if (loose !== -1) return { index: loose, name: headers[loose]! };
  const suffix = `.${folded}`;
  const hits = headers.map((h, i) => [h, i] as const).filter(([h]) => h.toLowerCase().endsWith(suffix));
  if (hits.length === 1) return { index: hits[0]![1], name: hits[0]![0] };
  return hits.length > 1 ? { index: -1, ambiguous: hits.map(([h]) => h) } : { index: -1 };
}

/** The first column whose name matches one of the patterns, tried in order. */
export function guessColumn(headers: readonly string[], patterns: readonly RegExp[]): number {
  for (const p of patterns) {
    const i = headers.findIndex((h) => p.test(h.trim()));
    if (i !== -1) return i;
  }
  return -1;
}

export const EMAIL_COLUMN = [/^e-?mail$/i, /^e-?mail[ _.-]?address$/i, /(^|\.)e-?mail$/i, /e-?mail/i];
export const TYPE_COLUMN = [/^activity[ _]?type$/i, /^event[ _]?type$/i, /^type$/i, /^(activity|event|action)$/i, /(^|\.)(activity_?type|event_?type|type)$/i];
export const TIME_COLUMN = [/^activity[ _]?date$/i, /^(timestamp|date|time|datetime|occurred[ _]?at|created[ _]?at|event[ _]?date|event[ _]?time)$/i, /(^|\.)(timestamp|occurred_?at|created_?at|date)$/i, /date|time/i];
