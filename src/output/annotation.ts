/** The funnel columns of an annotated row, from a verdict: one place for `classify` and `whatif --moved`. */
import type { Verdict } from '../classify/classifier.js';
import { UsageError } from '../errors.js';
import type { ContactFileScan } from '../input/contacts.js';

export const FUNNEL_COLUMNS = ['stage', 'score', 'fit', 'persona', 'contactable', 'content', 'action', 'reason', 'warnings', 'stage_since'] as const;
export const PREVIOUS_COLUMNS = ['previous_stage'] as const;

/** The values of FUNNEL_COLUMNS (stage … warnings, stage_since) for a verdict, as the annotated output writes them. */
export function funnelValues(v: Verdict, stageSince: string): string[] {
  return [v.stage, (Math.round(v.score * 10) / 10).toFixed(1), String(Math.round(v.fit * 1000) / 1000), v.persona ? 'yes' : 'no', v.consent ? 'yes' : 'no', v.content, v.action, v.reason, v.warnings.join('; '), stageSince];
}

/**
 * The output header of several contact files: the union of their columns in order of appearance, and per file
 * where each of its fields goes. Extra fields of ragged rows get their own columns, never one the header has.
 */
export function unionHeader(files: readonly ContactFileScan[]): { header: string[]; mappings: number[][] } {
  const header: string[] = [];
  // Column → index: a header may have 100k columns, where lookups by indexOf would be quadratic.
  const index = new Map<string, number>();
  const mappings: number[][] = [];
  for (const f of files) {
    const names = [...f.headers];
    const taken = new Set(names);
    for (let i = names.length; i < f.width; i++) {
      let name = `column_${i + 1}`;
      for (let k = 2; taken.has(name); k++) name = `column_${i + 1}_${k}`;
      names.push(name);
      taken.add(name);
    }
    mappings.push(
      names.map((n) => {
        let i = index.get(n);
        if (i === undefined) {
          i = header.length;
          header.push(n);
          index.set(n, i);
        }
        return i;
      }),
    );
  }
  return { header, mappings };
}

export interface AnnotatedHeader {
  /** The contact files' columns, united. */
  header: string[];
  /** Per file: where each of its fields goes in `header`. */
  mappings: number[][];
  /** The header, then the funnel columns: the output's columns. */
  columns: string[];
}

/**
 * The columns of an annotated output: the union of the contact files' columns, then the funnel columns
 * (`added`, already prefixed) — refused when the contacts already have one (an annotated file given again).
 */
export function annotatedHeader(files: readonly ContactFileScan[], added: readonly string[]): AnnotatedHeader {
  const { header, mappings } = unionHeader(files);
  const clashing = added.filter((c) => header.includes(c));
  if (clashing.length) throw new UsageError(`the contacts already have a column ${clashing[0]}`, {}, 'is this an annotated file? classify the original export, or choose another --prefix');
  return { header, mappings, columns: [...header, ...added] };
}
