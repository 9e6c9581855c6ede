/** The summary for people: a table, coloured only when the caller passes a colouring chalk. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Summary } from './summary.js';

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

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
    const overdue = sla ? [st.overdue === undefined ? '' : st.overdue ? chalk.yellow(String(st.overdue)) : '0'] : [];
    table.push([chalk.cyan(name), String(st.count), pct(st.share), String(st.reached), pct(st.conversion), ...overdue, chalk.green(bar(st.share))]);
  }
  if (s.disqualified.total) {
    table.push([chalk.red('disqualified'), String(s.disqualified.total), pct(s.total ? s.disqualified.total / s.total : 0), '', '', ...(sla ? [''] : []), chalk.red(bar(s.total ? s.disqualified.total / s.total : 0))]);
  }
  const lines: string[] = [table.toString()];
  lines.push(`${s.total} contacts as of ${s.as_of} — rules: ${s.rules.source}`);
  if (s.disqualified.total) lines.push(`disqualified: ${Object.entries(s.disqualified.by_reason).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`not contactable (no consent): ${s.not_contactable}`);
  const warn = s.rows_with_warnings ? chalk.yellow(String(s.rows_with_warnings)) : '0';
  const kinds = Object.entries(s.warnings_by_kind);
  lines.push(`rows with warnings: ${warn}${kinds.length ? ` (${kinds.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  const actRows = s.inputs.activities.reduce((a, f) => a + f.rows, 0);
  if (s.inputs.activities.length) {
    const noKey = s.inputs.activities.reduce((a, f) => a + f.without_key, 0);
    const after = s.inputs.activities.reduce((a, f) => a + f.after_as_of, 0);
    lines.push(
      `activity rows: ${actRows}; matching no contact: ${s.unmatched_activity_rows}${noKey ? ` (${noKey} without key)` : ''}; unparsable dates: ${s.undated_activity_rows}${after ? `; after as-of, ignored: ${after}` : ''}`,
    );
  }
  if (s.movements) {
    const m = s.movements;
    lines.push(`movements since the previous run: ${m.changed} changed stage, ${m.new} new`);
    for (const mv of m.moves) lines.push(`  ${mv.from} → ${mv.to}: ${mv.count}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderSummaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
