/**
 * `--previous`: the last run's stages, checked. A stage these rules do not know (another rules file, or a cell
 * such as `=HYPERLINK(…)`) is not copied as `funnel_previous_stage` and is counted in a warning; after the run, a
 * previous file that holds few of today's keys (a truncated copy, another export) gets a warning with counts
 * (PreviousCoverage, aggregate/previous-run.ts).
 */
import type { Readable } from 'node:stream';
import { DISQUALIFIED } from '../classify/classifier.js';
import type { Rules } from '../rules/model.js';
import { readPreviousRun, type PreviousRun } from '../aggregate/previous-run.js';
import { openAnnotated } from './annotated.js';

function examples(counts: Map<string, number>): string {
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return top.map(([s, n]) => `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}' ×${n}`).join(', ');
}

/** The previous run of `--previous`: rows of a stage these rules do not have are counted in a warning, not kept. */
export async function readPrevious(path: string, rules: Rules, prefix: string, io: { cwd: string; stdin?: Readable; warn(m: string): void }): Promise<PreviousRun> {
  const { table, cols } = await openAnnotated(path, { prefix, key: rules.contacts.key, cwd: io.cwd, stdin: io.stdin, warn: io.warn });
  const known = new Set([...rules.stages.map((s) => s.id), DISQUALIFIED]);
  const unknown = new Map<string, number>();
  let staged = 0;
  const accept = (stage: string): boolean => {
    if (stage === '') return false;
    staged++;
    if (known.has(stage)) return true;
    unknown.set(stage, (unknown.get(stage) ?? 0) + 1);
    return false;
  };
  const stageIndex = new Map(rules.stages.map((s, i) => [s.id, i]));
  const run = await readPreviousRun(table, cols, { normalize: rules.contacts.normalize, stageIndex, accept });
  const n = [...unknown.values()].reduce((a, b) => a + b, 0);
  if (n) {
    const other = n * 2 > staged ? ' — was it written under other rules?' : '';
    io.warn(`${table.file}: ${n} of ${staged} previous row(s) name a stage these rules do not have (${examples(unknown)}); not copied as ${prefix}previous_stage${other}`);
  }
  return run;
}
