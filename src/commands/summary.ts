/** `funnel summary`: the funnel summary of an existing annotated file, as classify prints it. */
import type { Readable } from 'node:stream';
import { SummaryBuilder, type Summary } from '../output/summary.js';
import type { Stage } from '../rules/model.js';
import type { RunSetup } from './run-setup.js';
import { openAnnotated } from './annotated.js';
import { tableRows } from '../input/table.js';
import { VERSION } from '../util/version.js';
import { SegmentedSummary } from '../output/summary-segments.js';
import { byColumn } from './by-column.js';
import { DISQUALIFIED } from '../classify/classifier.js';

/** The rules come resolved (run-setup.ts): they give the stage order. */
export interface SummaryOptions extends Pick<RunSetup, 'rules'> {
  file: string;
  prefix: string;
  cwd: string;
  /** `--by`: a friendly name or column of the annotated file whose values break the summary down. */
  by?: string;
}

export async function summarize(opts: SummaryOptions, io: { stdin?: Readable; warn(m: string): void; now?: () => number }): Promise<Summary> {
  const started = (io.now ?? Date.now)();
  const loaded = opts.rules;
  const stages: Stage[] = [...loaded.rules.stages];
  const { table, cols } = await openAnnotated(opts.file, { prefix: opts.prefix, cwd: opts.cwd, stdin: io.stdin, warn: io.warn });
  // Stages the file has but the rules do not (renamed since) are listed after the known ones, and kept.
  const byCol = opts.by === undefined ? -1 : byColumn(opts.by, loaded.rules, table.headers, table.file);
  const rows: { stage: string; contactable: boolean; warnings: string[]; reason: string; by?: string }[] = [];
  for await (const row of tableRows(table)) {
    const stage = (row.values[cols.stage] ?? '').trim();
    if (stage !== DISQUALIFIED && !stages.some((s) => s.id === stage)) stages.push({ id: stage, label: stage, content: '', action: '', needsConsent: true, pos: { line: 0, col: 0 } });
    const w = cols.warnings === -1 ? '' : (row.values[cols.warnings] ?? '');
    rows.push({ stage, contactable: cols.contactable === -1 || (row.values[cols.contactable] ?? '').trim() !== 'no', warnings: w.trim() ? w.split(/;\s*/) : [], reason: cols.reason === -1 ? '' : (row.values[cols.reason] ?? ''), by: byCol === -1 ? undefined : (row.values[byCol] ?? '') });
  }
  const b = new SummaryBuilder(stages);
  const index = new Map(stages.map((s, i) => [s.id, i]));
  const segments = byCol === -1 ? undefined : new SegmentedSummary(stages);
  for (const r of rows) {
    const by = /^disqualified: ([^\s(]+)/.exec(r.reason)?.[1] ?? 'unknown';
    const v = { stageIndex: r.stage === DISQUALIFIED ? -1 : index.get(r.stage)!, disqualifiedBy: by, consent: r.contactable, warnings: r.warnings };
    b.add(v);
    segments?.add(r.by, v);
  }
  const summary = b.build({
    tool: { name: 'funnel', version: VERSION },
    as_of: '',
    rules: { source: loaded.source, sha256: loaded.sha256 },
    inputs: { contacts: [{ file: table.file, rows: rows.length }], activities: [] },
    output: { rows: rows.length, format: table.format, files: [] },
    unmatched_activity_rows: 0,
    undated_activity_rows: 0,
    duration_ms: (io.now ?? Date.now)() - started,
  });
  return segments ? { ...summary, by: opts.by, segments: segments.build() } : summary;
}
