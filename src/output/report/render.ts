/**
 * The report page: one self-contained HTML file from summaries and histories. No script, no external
 * resource (a Content-Security-Policy forbids any), every chart an inline SVG with its numbers in a table.
 */
import type { Summary } from '../summary.js';
import { esc, Html, shortTime } from './html.js';
import type { ReportInput } from './inputs.js';
import { historySections } from './history-sections.js';
import { movementsSection } from './movements.js';
import { summarySegmentsSection } from './segments.js';
import { CSS } from './style.js';
import { summarySections } from './summary-sections.js';
import { trendSection, type Run } from './trend.js';

export interface ReportOptions {
  title?: string;
  /** Who made it, for the footer: `funnel 0.1.0`. */
  generator: string;
}

/**
 * Runs in time order when every summary says when it was made; in the order given otherwise
 * (`funnel summary` writes no as-of).
 */
export function orderRuns(inputs: readonly { file: string; data: Summary }[]): Run[] {
  const runs = inputs.map((i) => ({ label: i.data.as_of ? shortTime(i.data.as_of) : i.file, summary: i.data, t: Date.parse(i.data.as_of) }));
  if (runs.every((r) => Number.isFinite(r.t))) runs.sort((a, b) => a.t - b.t);
  return runs.map(({ label, summary }) => ({ label, summary }));
}

export function renderReport(inputs: readonly ReportInput[], opts: ReportOptions): string {
  const summaries = inputs.filter((i) => i.kind === 'summary');
  const histories = inputs.filter((i) => i.kind === 'history');
  const parts: Html[] = [];
  const runs = orderRuns(summaries);
  const latest = runs[runs.length - 1];
  if (latest) {
    const trend = trendSection(runs);
    if (trend) parts.push(trend);
    const s = latest.summary;
    parts.push(...summarySections(s, runs.length > 1 ? `The funnel at the last run (${latest.label})` : 'The funnel', [movementsSection(s), summarySegmentsSection(s)]));
  }
  for (const h of histories) parts.push(...historySections(h.data, histories.length > 1 ? `History: ${h.file}` : 'History'));
  const title = opts.title ?? 'Funnel report';
  const asOf = [...new Set(inputs.map((i) => i.data.as_of).filter((x) => x))].map(shortTime);
  const rules = [...new Set(inputs.map((i) => i.data.rules?.source).filter((x): x is string => !!x))];
  const meta = [asOf.length ? `as of ${asOf[asOf.length - 1]}` : '', rules.length ? `rules: ${rules.join(', ')}` : ''].filter((x) => x).join(' — ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${esc(opts.generator)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="meta">${esc(meta)}</p></header>
<main>
${parts.map((p) => p.html).join('\n')}
</main>
<footer>Made by ${esc(opts.generator)} from ${inputs.map((i) => esc(i.file)).join(', ')}.</footer>
</body>
</html>
`;
}
