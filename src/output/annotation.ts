/** The funnel columns of an annotated row, from a verdict: one place for `classify` and `whatif --moved`. */
import type { Verdict } from '../classify/classifier.js';
import type { ContactFileScan } from '../input/contacts.js';

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
