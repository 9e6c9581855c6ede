/**
 * Whether the keys of an activities file meet the contacts' keys. Activity rows per key are noted before and
 * after each file's fold; once the contacts are scanned, the rows of keys no contact has are counted per file.
 * When more than half of a file's keyed rows match no contact, the key columns are likely not the same thing
 * (an id against an email, another export's ids): a warning, or under --strict an error, before any output.
 */
import { InputError } from '../errors.js';
import type { Aggregates } from './store.js';

/** Rows per slot added by one file: its fold's `aggs.rows` minus the snapshot taken before it. */
export function rowsAdded(before: Uint32Array, aggs: Aggregates): Uint32Array {
  const out = aggs.rows.slice(0, aggs.size);
  for (let s = 0; s < before.length && s < out.length; s++) out[s]! -= before[s]!;
  return out;
}

export interface KeyOverlap {
  file: string;
  keyed: number;
  unmatched: number;
  /** A few keys of rows that match no contact, for the message. */
  examples: string[];
}

export function keyOverlap(file: string, added: Uint32Array, aggs: Aggregates): KeyOverlap {
  let keyed = 0;
  let unmatched = 0;
  const examples: string[] = [];
  for (let s = 0; s < added.length; s++) {
    const n = added[s]!;
    if (n === 0) continue;
    keyed += n;
    if (aggs.contactRows[s] === 0) {
      unmatched += n;
      if (examples.length < 3) examples.push(aggs.keyText(s));
    }
  }
  return { file, keyed, unmatched, examples };
}

/** The warning (or --strict error) for a file whose keys mostly do not meet the contacts'. */
export function checkOverlap(o: KeyOverlap, activityKey: string, contactKey: string, strict: boolean, warn: (m: string) => void): void {
  if (o.keyed === 0 || o.unmatched * 2 <= o.keyed) return;
  const pct = Math.round((o.unmatched / o.keyed) * 100);
  const what = `${o.unmatched} of ${o.keyed} keyed activity rows (${pct}%) match no contact: activity key '${activityKey}' vs contacts key '${contactKey}'; unmatched keys such as ${o.examples.map((e) => `'${e}'`).join(', ')}`;
  const hint = 'check that activities.key and contacts.key name the same identifier (and contacts.normalize)';
  if (strict) throw new InputError(what, { file: o.file }, `${hint}, or run without --strict`);
  warn(`${o.file}: ${what} — ${hint}`);
}
