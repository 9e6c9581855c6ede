/** The report of `funnel whatif`: the movement matrix (rows: before, columns: after), then each stage's change. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { WhatifResult } from '../classify/whatif-result.js';

const TABLE_STYLE = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export function renderWhatifText(r: WhatifResult, chalk: ChalkInstance): string {
  const rows = Object.keys(r.matrix);
  const cols = Object.keys(r.matrix[rows[0]!] ?? {});
  const matrix = new Table({
    head: [chalk.bold('before \\ after'), ...cols.map((c) => chalk.bold(c))],
    colAligns: ['left', ...cols.map(() => 'right' as const)],
    ...TABLE_STYLE,
  });
  for (const b of rows) {
    matrix.push([
      chalk.cyan(b),
      ...cols.map((a) => {
        const n = r.matrix[b]![a]!;
        if (!n) return chalk.dim('·');
        return a === b ? String(n) : chalk.yellow(String(n));
      }),
    ]);
  }
  const stages = new Table({ head: ['stage', 'before', 'after', 'change'].map((h) => chalk.bold(h)), colAligns: ['left', 'right', 'right', 'right'], ...TABLE_STYLE });
  for (const s of r.stages) stages.push([chalk.cyan(s.id), String(s.before), String(s.after), s.change === 0 ? chalk.dim('0') : s.change > 0 ? chalk.green(signed(s.change)) : chalk.red(signed(s.change))]);
  const lines = [
    `${r.before.rules} → ${r.after.rules}, as of ${r.as_of}: ${r.contacts} contacts, ${r.changed} change stage, ${r.unchanged} do not`,
    matrix.toString(),
    stages.toString(),
    `contactable: ${r.contactable.gained} gain consent, ${r.contactable.lost} lose it`,
    `action: ${r.action_changed} change${r.action_changed ? ':' : ''}`,
    ...r.actions.slice(0, 10).map((a) => `  ${a.contacts}× ${a.before || '(none)'} → ${a.after || '(none)'}`),
    ...(r.actions.length > 10 ? [`  … ${r.actions.length - 10} more pairs (--format json lists them all)`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderWhatifJson(r: WhatifResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
