/** Movements since the previous run (`classify --previous`): a from × to matrix, as a heat map and a table. */
import type { Summary } from '../summary.js';
import { categoryAxis, figure, labelMargin } from './chart.js';
import { Html, int, section, table, type Cell } from './html.js';

export function movementsSection(s: Summary): Html | undefined {
  const m = s.movements;
  if (!m) return undefined;
  const order = [...s.stages.map((st) => st.id), 'disqualified'];
  for (const mv of m.moves) for (const id of [mv.from, mv.to]) if (!order.includes(id)) order.push(id);
  const count = new Map(m.moves.map((mv) => [`${mv.from}\u0000${mv.to}`, mv.count]));
  const at = (from: string, to: string): number => count.get(`${from}\u0000${to}`) ?? 0;
  const intro = `Contacts who changed stage since the previous run: ${int(m.changed)}; new contacts: ${int(m.new)}. Rows: the stage at the previous run; columns: the stage now.`;
  if (!m.moves.length) return section('Movements since the previous run', [intro]);
  const max = Math.max(...m.moves.map((mv) => mv.count));
  const cells: [number, number, number][] = [];
  order.forEach((from, y) => order.forEach((to, x) => from !== to && cells.push([x, y, at(from, to)])));
  const cellSize = 64;
  const left = labelMargin(order, 12);
  const chart = figure(
    `Movements: ${m.moves.map((mv) => `${mv.from} to ${mv.to} ${int(mv.count)}`).join(', ')}`,
    {
      grid: { left, right: 10, top: 50, bottom: 10 },
      xAxis: categoryAxis(order, { position: 'top', axisLabel: { color: '#323f4b', interval: 0, fontSize: 12, rotate: order.length > 6 ? 30 : 0 } }),
      yAxis: categoryAxis(order, { inverse: true, axisLabel: { color: '#323f4b', interval: 0, fontSize: 12 } }),
      visualMap: { show: false, min: 0, max, inRange: { color: ['#f5f7fa', '#5b8def', '#1f3c88'] } },
      series: [{ type: 'heatmap', data: cells, silent: true, label: { show: true, formatter: (p: { value: number[] }) => (p.value[2] ? int(p.value[2]) : '') }, itemStyle: { borderColor: '#fff', borderWidth: 2 } }],
    },
    Math.min(left + 10 + order.length * cellSize, 720),
    60 + order.length * (cellSize * 0.7),
  );
  const rows: Cell[][] = order.map((from) => [from, ...order.map((to) => (from === to ? '' : at(from, to)))]);
  return section('Movements since the previous run', [intro, chart, table('Contacts by stage at the previous run (rows) and stage now (columns)', ['previous \\ now', ...order], rows)]);
}
