/**
 * `--previous`: the last run's stages, checked. A stage these rules do not know (another rules file, or a cell
 * such as `=HYPERLINK(…)`) is not copied as `funnel_previous_stage` and is counted in a warning; after the run, a
 * previous file that holds few of today's keys (a truncated copy, another export) gets a warning with counts.
 */
import type { Readable } from 'node:stream';
import { DISQUALIFIED } from '../classify/classifier.js';
import { normalizeKey } from '../values/keys.js';
import type { Rules } from '../rules/model.js';
import { openAnnotated } from './annotated.js';

export interface PreviousRow {
  stage: string;
  since: string;
}

export interface PreviousRun {
  file: string;
  rows: Map<string, PreviousRow>;
}

function examples(counts: Map<string, number>): string {
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.map(([s, n]) => `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}' ×${n}`).join(', ');
}

export async function readPrevious(path: string, rules: Rules, prefix: string, io: { stdin?: Readable; warn(m: string): void }): Promise<PreviousRun> {
  const { table, cols } = await openAnnotated(path, { prefix, key: rules.contacts.key, stdin: io.stdin, warn: io.warn });
  const known = new Set([...rules.stages.map((s) => s.id), DISQUALIFIED]);
  const rows = new Map<string, PreviousRow>();
  const unknown = new Map<string, number>();
  let staged = 0;
  for await (const row of table.rows) {
    const k = normalizeKey(row.values[cols.key] ?? '', rules.contacts.normalize);
    if (k.trim() === '' || rows.has(k)) continue;
    const stage = (row.values[cols.stage] ?? '').trim();
    if (stage === '') continue;
    staged++;
    if (!known.has(stage)) {
      unknown.set(stage, (unknown.get(stage) ?? 0) + 1);
      continue;
    }
    rows.set(k, { stage, since: cols.since === -1 ? '' : (row.values[cols.since] ?? '').trim() });
  }
  const n = [...unknown.values()].reduce((a, b) => a + b, 0);
  if (n) {
    const other = n * 2 > staged ? ' — was it written under other rules?' : '';
    io.warn(`${table.file}: ${n} of ${staged} previous row(s) name a stage these rules do not have (${examples(unknown)}); not copied as ${prefix}previous_stage${other}`);
  }
  return { file: table.file, rows };
}

/** Today's keyed contacts found in the previous file, or not. */
export class PreviousCoverage {
  private keyed = 0;
  private missing = 0;

  see(found: boolean): void {
    this.keyed++;
    if (!found) this.missing++;
  }

  /** A warning when more than a quarter of today's keys (and at least 5) are not in the previous file. */
  warning(prev: PreviousRun): string | undefined {
    if (this.missing < 5 || this.missing * 4 <= this.keyed) return undefined;
    return `${prev.file}: the previous run holds ${this.keyed - this.missing} of today's ${this.keyed} keyed contacts (${this.missing} missing, ${prev.rows.size} previous keys with a known stage) — is it a truncated copy, or another export?`;
  }
}
