/**
 * `funnel history` for people (a table readable in 100 columns: one block per measure, periods down, stages
 * across), for spreadsheets (CSV: period × stage rows, the columns of SPEC §7) and for the report (JSON).
 */
import type { ChalkInstance } from 'chalk';
import type { History, HistoryRow, HistorySegment } from './history.js';

const WIDTH = 100;

/** Columns as wide as their widest cell; headers cut to fit `WIDTH` when the stages are many or long. */
function grid(head: string[], rows: string[][], chalk: ChalkInstance): string[] {
  const n = head.length;
  const widths = head.map((h, i) => Math.max(...rows.map((r) => r[i]!.length), i === 0 ? h.length : Math.min(h.length, 4)));
  const full = head.map((h, i) => Math.max(widths[i]!, h.length));
  const fits = full.reduce((a, w) => a + w, 0) + 2 * (n - 1) <= WIDTH;
  const each = Math.max(4, Math.floor((WIDTH - widths[0]! - 2 * (n - 1)) / Math.max(1, n - 1)));
  for (let i = 1; i < n; i++) widths[i] = fits ? full[i]! : Math.max(widths[i]!, Math.min(head[i]!.length, each));
  const cut = (h: string, w: number): string => (h.length <= w ? h : `${h.slice(0, w - 1)}…`);
  const line = (cells: string[], header: boolean): string =>
    cells
      .map((c, i) => {
        const t = header ? cut(c, widths[i]!) : c;
        return i === 0 ? t.padEnd(widths[i]!) : t.padStart(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [chalk.bold(line(head, true)), ...rows.map((r) => line(r, false))];
}

function stageIds(h: History): string[] {
  return h.stages.map((s) => s.id);
}

function measure(h: History, rows: HistoryRow[], key: 'balance' | 'entered' | 'overdue', chalk: ChalkInstance): string[] {
  const ids = stageIds(h);
  const byPeriod = new Map<string, HistoryRow[]>();
  for (const r of rows) byPeriod.set(r.period, [...(byPeriod.get(r.period) ?? []), r]);
  const body = h.periods.map((p) => {
    const cells = byPeriod.get(p.id) ?? [];
    return [p.id, ...ids.map((id) => String(cells.find((c) => c.stage === id)?.[key] ?? 0))];
  });
  return grid(['period', ...ids], body, chalk);
}

const pct = (x: number | null): string => (x === null ? '—' : `${Math.round(x * 100)}%`);
const days = (x: number | null): string => (x === null ? '—' : x.toFixed(1));

function section(h: History, s: Pick<HistorySegment, 'rows' | 'conversion' | 'velocity'>, chalk: ChalkInstance, full: boolean): string[] {
  const out: string[] = [];
  const title = (t: string): void => {
    out.push('', chalk.bold(t));
  };
  title('balance — contacts at each stage at the end of the period');
  out.push(...measure(h, s.rows, 'balance', chalk));
  title('entered — contacts that reached the stage (or a later one) in the period');
  out.push(...measure(h, s.rows, 'entered', chalk));
  if (h.stages.some((st) => st.sla_days !== null)) {
    title('overdue — at the stage past its SLA at the end of the period');
    out.push(...measure(h, s.rows, 'overdue', chalk));
  }
  if (!full) return out;
  title('conversion by cohort — of those reaching a stage in the period, reached the next by as-of');
  const pairs = s.conversion.map((c) => `${c.from}→${c.to}`);
  const body = h.periods.map((p, i) => [p.id, ...s.conversion.map((c) => {
    const k = c.cohorts[i]!;
    return k.entered === 0 ? '—' : `${k.reached}/${k.entered} ${pct(k.share)}`;
  })]);
  out.push(...grid(['cohort', ...pairs], body, chalk));
  title('velocity — days from one stage to the next (contacts that reached both)');
  out.push(...grid(['from → to', 'contacts', 'median', 'p90'], s.velocity.map((v) => [`${v.from} → ${v.to}`, String(v.contacts), days(v.median_days), days(v.p90_days)]), chalk));
  return out;
}

export function renderHistoryTable(h: History, chalk: ChalkInstance): string {
  const out: string[] = [];
  out.push(`${chalk.bold('funnel history')} — ${h.periods.length} ${h.every}s from ${h.periods[0]!.id} to ${h.periods.at(-1)!.id}, as of ${h.as_of} (${h.timezone})`);
  out.push(`rules: ${h.rules.source}`);
  out.push(...section(h, h, chalk, true));
  out.push('');
  const notes = [`${h.contacts} contacts`];
  if (h.contacts_without_dates) notes.push(`${h.contacts_without_dates} without any date (counted from the as-of only)`);
  if (h.contacts_after_as_of) notes.push(`${h.contacts_after_as_of} first seen after the as-of (not counted)`);
  notes.push(`${h.undated_events} undated activity rows (counted from the entry, by conditions without a window)`);
  out.push(...notes.map((n) => `${n}`));
  for (const seg of h.segments ?? []) {
    out.push('', chalk.bold(`${h.by}: ${seg.segment} (${seg.contacts} contacts)`));
    out.push(...section(h, seg, chalk, false).slice(1));
  }
  return `${out.join('\n')}\n`;
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One row per period × stage: `period,stage,balance,entered,overdue`; with --by, `segment` first. */
export function renderHistoryCsv(h: History): string {
  const lines: string[] = [];
  const row = (r: HistoryRow, seg?: string): string => [...(seg === undefined ? [] : [seg]), r.period, r.stage, String(r.balance), String(r.entered), String(r.overdue)].map(csvCell).join(',');
  if (h.segments) {
    lines.push('segment,period,stage,balance,entered,overdue');
    for (const s of h.segments) for (const r of s.rows) lines.push(row(r, s.segment));
  } else {
    lines.push('period,stage,balance,entered,overdue');
    for (const r of h.rows) lines.push(row(r));
  }
  return `${lines.join('\n')}\n`;
}

export function renderHistoryJson(h: History): string {
  return `${JSON.stringify(h, null, 2)}\n`;
}
