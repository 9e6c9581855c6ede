/** Several summaries of successive runs: contacts per stage over the runs, as lines and a table. */
import type { Summary } from '../summary.js';
import { categoryAxis, countAxis, DISQUALIFIED_COLOR, figure, stageColor } from './chart.js';
import { Html, int, section, table, type Cell } from './html.js';

export interface Run {
  label: string;
  summary: Summary;
}

/** The stages of all runs, in the order the runs list them (a stage renamed between runs keeps both). */
function stageUnion(runs: readonly Run[]): { id: string; label: string }[] {
  const out: { id: string; label: string }[] = [];
  for (const r of runs) for (const st of r.summary.stages) if (!out.some((o) => o.id === st.id)) out.push({ id: st.id, label: st.label });
  return out;
}

export function trendSection(runs: readonly Run[]): Html | undefined {
  if (runs.length < 2) return undefined;
  const stages = stageUnion(runs);
  const count = (r: Run, id: string): number | null => r.summary.stages.find((st) => st.id === id)?.count ?? null;
  const series = [
    ...stages.map((st, i) => ({ name: st.id, type: 'line', symbolSize: 6, data: runs.map((r) => count(r, st.id)), itemStyle: { color: stageColor(i) }, lineStyle: { width: 2 } })),
    { name: 'disqualified', type: 'line', symbolSize: 6, data: runs.map((r) => r.summary.disqualified.total), itemStyle: { color: DISQUALIFIED_COLOR }, lineStyle: { width: 2, type: 'dashed' } },
  ];
  const chart = figure(
    `Contacts per stage over ${runs.length} runs`,
    {
      legend: { top: 0, itemWidth: 14, itemHeight: 8 },
      grid: { left: 10, right: 20, top: 50, bottom: 10, containLabel: true },
      xAxis: categoryAxis(runs.map((r) => r.label)),
      yAxis: countAxis,
      series,
    },
    640,
    320,
  );
  const rows: Cell[][] = runs.map((r) => [r.label, r.summary.total, ...stages.map((st) => count(r, st.id)), r.summary.disqualified.total]);
  return section('Trend over runs', [
    `${runs.length} runs, from ${runs[0]!.label} to ${runs[runs.length - 1]!.label}; the sections below show the last one.`,
    chart,
    table('Contacts per stage, run by run', ['run', 'all contacts', ...stages.map((st) => st.id), 'disqualified'], rows),
  ]);
}

