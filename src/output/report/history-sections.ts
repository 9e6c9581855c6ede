/** The sections of a history JSON: balance and entered per period, conversion by cohort, velocity, segments. */
import type { History, HistoryConversion, HistoryRow, Velocity } from './history.js';
import { categoryAxis, colorOfStage, countAxis, figure, labelMargin, stageColor, valueAxis } from './chart.js';
import { days, Html, int, pct, section, shortTime, table, type Cell } from './html.js';
import { smallFunnel } from './segments.js';

const colorOf = (h: History, id: string): string => colorOfStage(h.stages.map((s) => s.id), id);

function grid(rows: readonly HistoryRow[]): Map<string, HistoryRow> {
  return new Map(rows.map((r) => [`${r.period}\u0000${r.stage}`, r]));
}

function perPeriod(h: History, rows: readonly HistoryRow[], field: 'balance' | 'entered' | 'overdue', kind: 'line' | 'bar', title: string): Html[] {
  const g = grid(rows);
  const value = (p: string, s: string): number | null => g.get(`${p}\u0000${s}`)?.[field] ?? null;
  const periods = h.periods.map((p) => p.id);
  const stages = h.stages.map((s) => s.id);
  const series = stages.map((id) => ({
    name: id,
    type: kind,
    data: periods.map((p) => value(p, id)),
    itemStyle: { color: colorOf(h, id) },
    // Bars stacked: one column per period, its height the period's total, and one colour per stage.
    ...(kind === 'line' ? { symbolSize: 5, lineStyle: { width: 2, ...(id === 'disqualified' ? { type: 'dashed' } : {}) } } : { stack: 'all', barMaxWidth: 28 }),
  }));
  const chart = figure(
    `${title}, ${periods[0] ?? ''} to ${periods[periods.length - 1] ?? ''}`,
    {
      legend: { top: 0, itemWidth: 14, itemHeight: 8 },
      grid: { left: 10, right: 20, top: 50, bottom: 10, containLabel: true },
      xAxis: categoryAxis(periods),
      yAxis: countAxis,
      series,
    },
    640,
    320,
  );
  const rowsOut: Cell[][] = periods.map((p) => [p, ...stages.map((s) => value(p, s))]);
  return [chart, table(title, [h.every, ...stages], rowsOut)];
}

function conversionSection(h: History): Html | undefined {
  if (!h.conversion.length) return undefined;
  const periods = h.periods.map((p) => p.id);
  const pair = (c: HistoryConversion): string => `${c.from} → ${c.to}`;
  const share = (c: HistoryConversion, p: string): number | null => c.cohorts.find((x) => x.period === p)?.share ?? null;
  const chart = figure(
    `Conversion by cohort: ${h.conversion.map(pair).join(', ')}`,
    {
      legend: { top: 0, itemWidth: 14, itemHeight: 8 },
      grid: { left: 10, right: 20, top: 50, bottom: 10, containLabel: true },
      xAxis: categoryAxis(periods),
      yAxis: { ...valueAxis, max: 100, axisLabel: { color: '#52606d', formatter: '{value}%' } },
      series: h.conversion.map((c, i) => ({ name: pair(c), type: 'line', connectNulls: false, symbolSize: 5, itemStyle: { color: stageColor(i + 1) }, data: periods.map((p) => { const v = share(c, p); return v === null ? null : Math.round(v * 1000) / 10; }) })),
    },
    640,
    320,
  );
  const cell = (c: HistoryConversion, p: string): Cell => {
    const x = c.cohorts.find((k) => k.period === p);
    return x ? `${int(x.reached)} / ${int(x.entered)} (${pct(x.share)})` : null;
  };
  const rows: Cell[][] = periods.map((p) => [p, ...h.conversion.map((c) => cell(c, p))]);
  return section(
    'Conversion by cohort',
    [chart, table(`Of the contacts who entered a stage in a ${h.every}, how many reached the next (reached / entered)`, [`cohort (${h.every})`, ...h.conversion.map(pair)], rows)],
    `A cohort: the contacts who entered the first stage of a pair in that ${h.every}; the share of them that have reached the second by ${shortTime(h.as_of)}.`,
  );
}

function velocityRows(v: readonly Velocity[]): Cell[][] {
  return v.map((x) => [`${x.from} → ${x.to}`, x.contacts, days(x.median_days), days(x.p90_days)]);
}

function velocitySection(h: History): Html | undefined {
  if (!h.velocity.length) return undefined;
  const names = h.velocity.map((x) => `${x.from} → ${x.to}`);
  const chart = figure(
    `Days from stage to stage, median and 90th percentile: ${h.velocity.map((x) => `${x.from} to ${x.to} ${days(x.median_days)} and ${days(x.p90_days)}`).join(', ')}`,
    {
      legend: { top: 0, itemWidth: 14, itemHeight: 8 },
      grid: { left: labelMargin(names), right: 60, top: 36, bottom: 30 },
      xAxis: { ...valueAxis, name: 'days', nameLocation: 'middle', nameGap: 22 },
      yAxis: categoryAxis(names, { inverse: true }),
      series: [
        { name: 'median', type: 'bar', barMaxWidth: 14, itemStyle: { color: '#5b8def' }, data: h.velocity.map((x) => x.median_days), label: { show: true, position: 'right', fontSize: 11 } },
        { name: '90th percentile', type: 'bar', barMaxWidth: 14, itemStyle: { color: '#c3d3f5' }, data: h.velocity.map((x) => x.p90_days), label: { show: true, position: 'right', fontSize: 11 } },
      ],
    },
    640,
    70 + names.length * 44,
  );
  return section('Velocity: days from stage to stage', [chart, table('Days between reaching one stage and the next', ['from → to', 'contacts', 'median days', '90th percentile days'], velocityRows(h.velocity))]);
}

function historySegmentsSection(h: History): Html | undefined {
  if (!h.segments || !h.by) return undefined;
  const last = h.periods[h.periods.length - 1]?.id;
  const stages = h.stages.map((s) => s.id);
  const balanceAt = (rows: HistoryRow[], s: string): number => rows.find((r) => r.period === last && r.stage === s)?.balance ?? 0;
  const charts = h.segments.map((sg) => smallFunnel(`${sg.segment} — ${int(sg.contacts)}`, h.stages.map((st) => ({ id: st.id, label: st.label, reached: balanceAt(sg.rows, st.id) })), stages));
  const pairs = h.conversion.map((c) => [c.from, c.to] as const);
  const overall = (conv: HistoryConversion[], from: string, to: string): string => {
    const c = conv.find((x) => x.from === from && x.to === to);
    const entered = c ? c.cohorts.reduce((a, k) => a + k.entered, 0) : 0;
    const reached = c ? c.cohorts.reduce((a, k) => a + k.reached, 0) : 0;
    return entered ? `${pct(reached / entered)} of ${int(entered)}` : '—';
  };
  const median = (v: Velocity[], from: string, to: string): string => days(v.find((x) => x.from === from && x.to === to)?.median_days ?? null);
  return section(`History by ${h.by}`, [
    `Bars: contacts at each stage at the end of ${last ?? 'the last period'}.`,
    new Html(`<div class="multiples">${charts.map((c) => c.html).join('\n')}</div>`),
    table(`Contacts at each stage at the end of ${last ?? ''}, by ${h.by}`, [h.by, 'contacts', ...stages], h.segments.map((sg) => [sg.segment, sg.contacts, ...stages.map((s) => balanceAt(sg.rows, s))])),
    table(`Conversion over all cohorts, by ${h.by}`, [h.by, ...pairs.map(([f, t]) => `${f} → ${t}`)], h.segments.map((sg) => [sg.segment, ...pairs.map(([f, t]) => overall(sg.conversion, f, t))])),
    table(`Median days from stage to stage, by ${h.by}`, [h.by, ...pairs.map(([f, t]) => `${f} → ${t}`)], h.segments.map((sg) => [sg.segment, ...pairs.map(([f, t]) => median(sg.velocity, f, t))])),
  ]);
}

export function historySections(h: History, heading: string): Html[] {
  const overdue = h.rows.some((r) => (r.overdue ?? 0) > 0);
  const intro = `${int(h.contacts)} contacts, per ${h.every} from ${h.periods[0]?.id ?? '—'} to ${h.periods[h.periods.length - 1]?.id ?? '—'}, as of ${shortTime(h.as_of)}${h.timezone ? ` (${h.timezone})` : ''}${h.undated_events ? `; ${int(h.undated_events)} undated events count for no moment` : ''}.`;
  return [
    section(heading, [intro, ...perPeriod(h, h.rows, 'balance', 'line', `Contacts at each stage at the end of each ${h.every}`)], 'Balance: the contacts at each stage when the period ends.'),
    section(`Entered per ${h.every}`, perPeriod(h, h.rows, 'entered', 'bar', `Contacts who entered each stage, per ${h.every}`), 'Entered: the contacts who reached the stage during the period.'),
    ...(overdue ? [section(`Overdue per ${h.every}`, perPeriod(h, h.rows, 'overdue', 'bar', `Contacts past the stage's sla at the end of each ${h.every}`), 'Overdue: contacts at the stage longer than its sla at the end of the period.')] : []),
    conversionSection(h),
    velocitySection(h),
    historySegmentsSection(h),
  ].filter((x): x is Html => x !== undefined);
}
