/**
 * The funnel by segment (`--by`): one small chart per segment, on a grid that wraps on narrow screens,
 * and the numbers in tables of segment × stage.
 */
import type { StageLine, Summary } from '../summary.js';
import { categoryAxis, colorOfStage, figure, labelMargin, valueAxis } from './chart.js';
import { Html, int, pct, section, table, type Cell } from './html.js';
import { stageName } from './summary-sections.js';

export function smallFunnel(title: string, stages: readonly { id: string; label: string; reached: number }[], order: readonly string[] = stages.map((st) => st.id)): Html {
  const height = 56 + stages.length * 24;
  return figure(
    `${title}: ${stages.map((st) => `${stageName(st)} reached ${int(st.reached)}`).join(', ')}`,
    {
      title: { text: title, left: 0, top: 0, textStyle: { fontSize: 13, fontWeight: 'bold', color: '#1f2933' } },
      grid: { left: labelMargin(stages.map(stageName), 11), right: 44, top: 28, bottom: 4 },
      xAxis: { ...valueAxis, show: false },
      yAxis: categoryAxis(stages.map(stageName), { inverse: true, axisLabel: { color: '#323f4b', fontSize: 11, interval: 0 } }),
      series: [
        {
          type: 'bar',
          barMaxWidth: 16,
          silent: true,
          data: stages.map((st) => ({ value: st.reached, itemStyle: { color: colorOfStage(order, st.id) } })),
          label: { show: true, position: 'right', fontSize: 11, formatter: (p: { value: number }) => int(p.value) },
        },
      ],
    },
    300,
    height,
  );
}

export function segmentTables(by: string, segments: { segment: string; total: number; stages: StageLine[] }[], stageIds: string[]): Html[] {
  const head = [by, 'contacts', ...stageIds];
  const line = (sg: { stages: StageLine[] }, id: string): StageLine | undefined => sg.stages.find((st) => st.id === id);
  const rows = (f: (st: StageLine | undefined) => Cell): Cell[][] => segments.map((sg) => [sg.segment, sg.total, ...stageIds.map((id) => f(line(sg, id)))]);
  const disqualified = (sg: { total: number; stages: StageLine[] }): number => sg.total - sg.stages.reduce((a, st) => a + st.count, 0);
  const counts = rows((st) => st?.count ?? 0).map((r, i) => [...r, disqualified(segments[i]!)]);
  return [
    table(`Contacts at each stage, by ${by}`, [...head, 'disqualified'], counts),
    table(`Contacts that reached each stage (at the stage or a more mature one), by ${by}`, head, rows((st) => st?.reached ?? 0)),
    table(`Conversion from the previous stage, by ${by}`, head, rows((st) => pct(st?.conversion ?? null))),
  ];
}

export function summarySegmentsSection(s: Summary): Html | undefined {
  if (!s.segments || !s.by) return undefined;
  const charts = s.segments.map((sg) => smallFunnel(`${sg.segment} — ${int(sg.total)}`, sg.stages));
  return section(`The funnel by ${s.by}`, [
    `One chart per value of ${s.by} (${s.segments.length} in all: the 20 largest values, any others as (other), empty values as (none)). Bars: contacts that reached each stage.`,
    new Html(`<div class="multiples">${charts.map((c) => c.html).join('\n')}</div>`),
    ...segmentTables(s.by, s.segments, s.stages.map((st) => st.id)),
  ]);
}
