/** The sections of one classify summary: the funnel, disqualification, consent, data health, movements. */
import type { StageLine, Summary } from '../summary.js';
import { categoryAxis, countAxis, DISQUALIFIED_COLOR, figure, labelMargin, MUTED_COLOR, stageColor } from './chart.js';
import { esc, Html, int, pct, section, shortTime, table, type Cell } from './html.js';

export const LEGEND =
  'reached: contacts at this stage or a more mature one. conversion: reached at this stage ÷ reached at the previous stage. share: contacts at this stage ÷ all contacts.';

export function stageName(st: { id: string; label: string }): string {
  return st.label && st.label !== st.id ? st.label : st.id;
}

/** Some labels repeat an id in another case; a column of labels only when one says something the id does not. */
function hasLabels(stages: readonly StageLine[]): boolean {
  return stages.some((st) => st.label && st.label !== st.id);
}

export function stageTable(caption: string, stages: readonly StageLine[], total: number, disqualified: number | undefined): Html {
  const labels = hasLabels(stages);
  const head = ['stage', ...(labels ? ['label'] : []), 'contacts', 'share', 'reached', 'conversion'];
  const rows: Cell[][] = stages.map((st) => [st.id, ...(labels ? [st.label] : []), st.count, pct(st.share), st.reached, pct(st.conversion)]);
  if (disqualified !== undefined) rows.push(['disqualified', ...(labels ? [''] : []), disqualified, pct(total ? disqualified / total : 0), '', '']);
  return table(caption, head, rows, { foot: ['all contacts', ...(labels ? [''] : []), total, pct(total ? 1 : 0), '', ''] });
}

export function funnelChart(stages: readonly StageLine[], width = 600): Html {
  const data = stages.map((st, i) => ({
    name: stageName(st),
    value: st.reached,
    itemStyle: { color: stageColor(i) },
    label: { formatter: `${stageName(st)}: ${int(st.reached)} reached${st.conversion === null ? '' : ` · ${pct(st.conversion)}`}` },
  }));
  const height = 60 + stages.length * 44;
  return figure(
    `Funnel: ${stages.map((st) => `${stageName(st)} reached ${int(st.reached)}`).join(', ')}`,
    {
      series: [
        {
          type: 'funnel',
          sort: 'none',
          left: 10,
          top: 20,
          bottom: 20,
          width: '52%',
          minSize: '6%',
          gap: 3,
          silent: true,
          label: { position: 'right', color: '#1f2933', fontSize: 13 },
          labelLine: { show: true, lineStyle: { color: '#9aa5b1' } },
          data,
        },
      ],
    },
    width,
    height,
    'Reached each stage, and conversion from the previous stage',
  );
}

export function countsChart(s: Summary, width = 600): Html {
  const names = [...s.stages.map(stageName), 'disqualified'];
  const values = [...s.stages.map((st, i) => ({ value: st.count, itemStyle: { color: stageColor(i) } })), { value: s.disqualified.total, itemStyle: { color: DISQUALIFIED_COLOR } }];
  return figure(
    `Contacts at each stage: ${names.map((n, i) => `${n} ${int(values[i]!.value)}`).join(', ')}`,
    {
      grid: { left: 50, right: 20, top: 30, bottom: 40 },
      xAxis: categoryAxis(names),
      yAxis: countAxis,
      series: [{ type: 'bar', data: values, barMaxWidth: 56, label: { show: true, position: 'top', formatter: (p: { value: number }) => int(p.value) } }],
    },
    width,
    260,
    'Contacts at each stage now',
  );
}

function funnelSection(s: Summary, heading: string): Html {
  const share = s.total ? ` — ${pct(s.stages[0]?.reached !== undefined ? s.stages[0].reached / s.total : 0)} of them in the funnel` : '';
  return section(heading, [
    `${int(s.total)} contacts${s.as_of ? ` as of ${shortTime(s.as_of)}` : ''}${share}.`,
    funnelChart(s.stages),
    countsChart(s),
    stageTable('Contacts per stage', s.stages, s.total, s.disqualified.total),
    new Html(`<p class="legend">${LEGEND.split('. ').map((x) => x.replace(/^(\w+):/, '<b>$1</b>:')).join('. ')}</p>`),
  ]);
}

function disqualifiedSection(s: Summary): Html | undefined {
  const reasons = Object.entries(s.disqualified.by_reason);
  if (!reasons.length) return undefined;
  const height = 50 + reasons.length * 32;
  const chart = figure(
    `Disqualified by reason: ${reasons.map(([k, v]) => `${k} ${int(v)}`).join(', ')}`,
    {
      grid: { left: labelMargin(reasons.map(([k]) => k)), right: 50, top: 10, bottom: 30 },
      xAxis: countAxis,
      yAxis: categoryAxis(reasons.map(([k]) => k), { inverse: true }),
      series: [{ type: 'bar', data: reasons.map(([, v]) => v), itemStyle: { color: DISQUALIFIED_COLOR }, barMaxWidth: 22, label: { show: true, position: 'right', formatter: (p: { value: number }) => int(p.value) } }],
    },
    640,
    height,
  );
  const total = s.disqualified.total;
  return section('Disqualified, by reason', [chart, table('Disqualified contacts by reason', ['reason', 'contacts', 'share of disqualified'], reasons.map(([k, v]) => [k, v, pct(total ? v / total : 0)]), { foot: ['all disqualified', total, pct(total ? 1 : 0)] })]);
}

function consentSection(s: Summary): Html {
  const yes = s.total - s.not_contactable;
  const chart = figure(
    `Contactable ${int(yes)}, not contactable ${int(s.not_contactable)}`,
    {
      series: [
        {
          type: 'pie',
          radius: ['45%', '72%'],
          silent: true,
          label: { formatter: (p: { name: string; value: number; percent: number }) => `${p.name}\n${int(p.value)} (${p.percent.toFixed(1)}%)` },
          data: [
            { name: 'contactable', value: yes, itemStyle: { color: '#2f9e5b' } },
            { name: 'not contactable', value: s.not_contactable, itemStyle: { color: MUTED_COLOR } },
          ],
        },
      ],
    },
    480,
    240,
  );
  const rows: Cell[][] = [
    ['contactable', yes, pct(s.total ? yes / s.total : 0)],
    ['not contactable (no consent)', s.not_contactable, pct(s.total ? s.not_contactable / s.total : 0)],
  ];
  return section('Consent: contactable or not', [chart, table('Contacts by consent', ['', 'contacts', 'share'], rows)]);
}

function healthSection(s: Summary): Html {
  const rows: Cell[][] = [['rows with warnings', s.rows_with_warnings ?? 0]];
  for (const [k, v] of Object.entries(s.warnings_by_kind ?? {})) rows.push([new Html(`<span class="indent">${esc(k)}</span>`), v]);
  const activities = s.inputs?.activities ?? [];
  if (activities.length) {
    rows.push(['activity rows read', activities.reduce((a, f) => a + f.rows, 0)]);
    rows.push(['activity rows matching no contact', s.unmatched_activity_rows ?? 0]);
    rows.push(['activity rows with an unparsable date', s.undated_activity_rows ?? 0]);
  }
  const files = [...(s.inputs?.contacts ?? []).map((f) => [f.file, f.rows] as Cell[]), ...activities.map((f) => [f.file, f.rows] as Cell[])];
  return section('Data health', [table('Problems in the inputs', ['', 'rows'], rows), ...(files.length ? [table('Files read', ['file', 'rows'], files)] : [])]);
}

export function summarySections(s: Summary, heading: string, extra: (Html | undefined)[]): Html[] {
  return [funnelSection(s, heading), disqualifiedSection(s), consentSection(s), ...extra, healthSection(s)].filter((x): x is Html => x !== undefined);
}
