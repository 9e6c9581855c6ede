/** The summary for people: a table, coloured only when the caller passes a colouring chalk. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { SegmentLine, Summary } from './summary.js';
import { thousands } from '../util/text.js';

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

/** Whole numbers with thousands separators, as people read them: 81,716. */
export function int(n: number): string {
  return thousands(n);
}

export const LEGEND = 'reached: at this stage or a more mature one · conversion: reached ÷ reached of the previous stage';

function bar(share: number, width = 24): string {
  const cells = share * width;
  const full = Math.floor(cells);
  const part = cells - full >= 0.5 ? '▌' : '';
  return '█'.repeat(full) + part;
}

export function renderSummaryTable(s: Summary, chalk: ChalkInstance): string {
  // An `overdue` column only when some stage has an SLA.
  const sla = s.stages.some((st) => st.overdue !== undefined);
  const table = new Table({
    head: ['stage', 'contacts', 'share', 'reached', 'conversion', ...(sla ? ['overdue'] : []), ''].map((h) => chalk.bold(h)),
    colAligns: ['left', 'right', 'right', 'right', 'right', ...(sla ? (['right'] as const) : []), 'left'],
    // cli-table3 colours head and border by default, even when piped.
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const st of s.stages) {
    const name = st.label !== st.id ? `${st.id} (${st.label})` : st.id;
    const overdue = sla ? [st.overdue === undefined ? '' : st.overdue ? chalk.yellow(int(st.overdue)) : '0'] : [];
    table.push([chalk.cyan(name), int(st.count), pct(st.share), int(st.reached), pct(st.conversion), ...overdue, chalk.green(bar(st.share))]);
  }
  if (s.disqualified.total) {
    table.push([chalk.red('disqualified'), int(s.disqualified.total), pct(s.total ? s.disqualified.total / s.total : 0), '', '', ...(sla ? [''] : []), chalk.red(bar(s.total ? s.disqualified.total / s.total : 0))]);
  }
  const lines: string[] = [table.toString(), chalk.dim(LEGEND)];
  lines.push(`${int(s.total)} contacts${s.as_of ? ` as of ${s.as_of}` : ''} — rules: ${s.rules.source}`);
  if (s.disqualified.total) lines.push(`disqualified: ${Object.entries(s.disqualified.by_reason).map(([k, v]) => `${k} ${int(v)}`).join(', ')}`);
  lines.push(`not contactable (no consent): ${int(s.not_contactable)}`);
  const warn = s.rows_with_warnings ? chalk.yellow(int(s.rows_with_warnings)) : '0';
  const kinds = Object.entries(s.warnings_by_kind);
  lines.push(`rows with warnings: ${warn}${kinds.length ? ` (${kinds.map(([k, v]) => `${k} ${int(v)}`).join(', ')})` : ''}`);
  const actRows = s.inputs.activities.reduce((a, f) => a + f.rows, 0);
  if (s.inputs.activities.length) {
    const noKey = s.inputs.activities.reduce((a, f) => a + f.without_key, 0);
    const after = s.inputs.activities.reduce((a, f) => a + f.after_as_of, 0);
    lines.push(
      `activity rows: ${int(actRows)}; matching no contact: ${int(s.unmatched_activity_rows)}${noKey ? ` (${int(noKey)} without key)` : ''}; unparsable dates: ${int(s.undated_activity_rows)}${after ? `; after as-of, ignored: ${int(after)}` : ''}`,
    );
  }
  if (s.movements) {
    const m = s.movements;
    lines.push(`movements since the previous run: ${int(m.changed)} changed stage, ${int(m.new)} new`);
    for (const mv of m.moves) lines.push(`  ${mv.from} → ${mv.to}: ${int(mv.count)}`);
  }
  if (s.segments && s.by) lines.push('', renderSegmentsTable(s.by, s.segments, chalk));
  return `${lines.join('\n')}\n`;
}

/** The funnel per segment: for each stage, the contacts that reached it and the conversion from the previous. */
export function renderSegmentsTable(by: string, segments: readonly SegmentLine[], chalk: ChalkInstance): string {
  const stages = segments[0]?.stages ?? [];
  const table = new Table({
    head: [by, 'contacts', ...stages.map((st) => st.id)].map((h) => chalk.bold(h)),
    colAligns: ['left', ...stages.map(() => 'right' as const), 'right'],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const sg of segments) {
    table.push([chalk.cyan(sg.segment), int(sg.total), ...sg.stages.map((st) => (st.conversion === null ? int(st.reached) : `${int(st.reached)} ${chalk.dim(pct(st.conversion))}`))]);
  }
  return `${chalk.bold(`by ${by}`)}: contacts that reached each stage, and the conversion from the previous\n${table.toString()}`;
}
