/** The movement matrix of `funnel diff`, rows = before, columns = after. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { DiffResult } from './diff-result.js';

export function renderDiffText(d: DiffResult, chalk: ChalkInstance): string {
  const table = new Table({
    head: [chalk.bold('before \\ after'), ...d.stages.map((s) => chalk.bold(s))],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', ...d.stages.map(() => 'right' as const)],
  });
  for (const from of d.stages) {
    const row = d.matrix[from];
    if (!row) continue;
    table.push([chalk.cyan(from), ...d.stages.map((to) => {
      const n = row[to] ?? 0;
      if (!n) return chalk.dim('·');
      return from === to ? String(n) : chalk.yellow(String(n));
    })]);
  }
  const lines = [
    `${d.before.file} (${d.before.rows} rows) → ${d.after.file} (${d.after.rows} rows)`,
    table.toString(),
    `changed stage: ${d.changed}; unchanged: ${d.unchanged}; added: ${d.added}; removed: ${d.removed}`,
  ];
  const dup = d.duplicate_key_rows.before + d.duplicate_key_rows.after;
  const empty = d.empty_key_rows.before + d.empty_key_rows.after;
  if (dup || empty) lines.push(`not compared: ${dup} row(s) repeating a key (before ${d.duplicate_key_rows.before}, after ${d.duplicate_key_rows.after}); ${empty} row(s) without a key`);
  return `${lines.join('\n')}\n`;
}
