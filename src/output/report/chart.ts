/**
 * Charts as inline SVG, rendered here by Apache ECharts' server-side SVG renderer: no DOM, no script in the
 * page, no network. ECharts escapes the text it writes into the SVG; the figure's label is escaped here.
 */
import * as echarts from 'echarts';
import { esc, Html } from './html.js';

/** Stage colours, in funnel order: one hue per stage in every chart of the page. */
export const STAGE_COLORS = ['#9fb3c8', '#5b8def', '#3ba0a8', '#2f9e5b', '#e0a100', '#d9661f', '#8e5bd9', '#c2477e', '#6d7f8f', '#1f6fb2'];
export const DISQUALIFIED_COLOR = '#b8434a';
export const MUTED_COLOR = '#9aa5b1';

export function stageColor(i: number): string {
  return STAGE_COLORS[i % STAGE_COLORS.length]!;
}

/** The colour of a stage by id among the stage ids in order; `disqualified` always in red. */
export function colorOfStage(ids: readonly string[], id: string): string {
  return id === 'disqualified' ? DISQUALIFIED_COLOR : stageColor(Math.max(0, ids.indexOf(id)));
}

const TEXT = { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', fontSize: 13, color: '#1f2933' };

export type ChartOption = Record<string, unknown>;

/** One chart as an SVG string of the given size (scaled down by the page's CSS on narrow screens). */
export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: TEXT, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** A figure: the SVG, described for screen readers by `label`; the numbers themselves are in the table beside it. */
export function figure(label: string, option: ChartOption, width: number, height: number, caption?: string): Html {
  const cap = caption ? `<figcaption>${esc(caption)}</figcaption>` : '';
  return new Html(`<figure class="chart" role="img" aria-label="${esc(label)}">${cap}${renderSvg(option, width, height)}</figure>`);
}

/** Common axis style: quiet grid lines, labels that do not collide. */
export const valueAxis = { type: 'value', splitLine: { lineStyle: { color: '#e4e7eb' } }, axisLabel: { color: '#52606d' } };
export const countAxis = { ...valueAxis, minInterval: 1 };

/**
 * The left margin for a vertical category axis. ECharts measures text without a canvas on the server and
 * underestimates it, so `containLabel` clips long names: the margin is estimated here from the longest.
 */
export function labelMargin(labels: readonly string[], fontSize = 13): number {
  const longest = Math.max(0, ...labels.map((l) => [...l].length));
  return Math.ceil(longest * fontSize * 0.6) + 16;
}

export function categoryAxis(data: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'category', data, axisTick: { show: false }, axisLine: { lineStyle: { color: '#9aa5b1' } }, axisLabel: { color: '#323f4b', interval: 0, hideOverlap: true }, ...extra };
}
