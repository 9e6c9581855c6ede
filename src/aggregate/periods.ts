/**
 * The calendar periods of `funnel history` (SPEC §7): weeks (ISO, from Monday), months or quarters as the
 * clock reads them in `activities.timezone`. The last period is the one holding the as-of, cut at it.
 */
import { UsageError } from '../errors.js';
import { zonedToUtc } from '../values/dates.js';

export type Every = 'week' | 'month' | 'quarter';

export interface Period {
  /** `2026-03`, `2026-W14` or `2026-Q2`. */
  id: string;
  start: number;
  /** Exclusive, but for the last period: the as-of itself is in it. */
  end: number;
}

/** Default number of periods when --since is not given. */
export const DEFAULT_PERIODS = 12;

interface Wall {
  y: number;
  mo: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date an instant has in a zone. */
function wallDate(ms: number, tz: string): Wall {
  if (tz === 'UTC') {
    const d = new Date(ms);
    return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate() };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(tz, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day') };
}

/** A calendar date normalised (month 13 → January next year, day 0 → last of the month before). */
function norm(y: number, mo: number, d: number): Wall {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Monday = 0 … Sunday = 6. */
function weekday(w: Wall): number {
  return (new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay() + 6) % 7;
}

/** The first day of the period holding a calendar date. */
function firstDay(w: Wall, every: Every): Wall {
  if (every === 'month') return { y: w.y, mo: w.mo, d: 1 };
  if (every === 'quarter') return { y: w.y, mo: Math.floor((w.mo - 1) / 3) * 3 + 1, d: 1 };
  return norm(w.y, w.mo, w.d - weekday(w));
}

/** The first day of the period `k` periods after the one starting on `w`. */
function shift(w: Wall, every: Every, k: number): Wall {
  if (every === 'month') return norm(w.y, w.mo + k, 1);
  if (every === 'quarter') return norm(w.y, w.mo + 3 * k, 1);
  return norm(w.y, w.mo, w.d + 7 * k);
}

function idOf(w: Wall, every: Every): string {
  if (every === 'month') return `${w.y}-${String(w.mo).padStart(2, '0')}`;
  if (every === 'quarter') return `${w.y}-Q${Math.floor((w.mo - 1) / 3) + 1}`;
  // ISO week: the week belongs to the year of its Thursday.
  const thu = norm(w.y, w.mo, w.d + 3);
  const jan1 = Date.UTC(thu.y, 0, 1);
  const week = Math.floor((Date.UTC(thu.y, thu.mo - 1, thu.d) - jan1) / (7 * 86_400_000)) + 1;
  return `${thu.y}-W${String(week).padStart(2, '0')}`;
}

const at = (w: Wall, tz: string): number => zonedToUtc(w.y, w.mo, w.d, 0, 0, 0, 0, tz);

/** The periods from the one holding `since` (default: eleven before the as-of's) to the one holding the as-of. */
export function periodsOf(asOf: number, every: Every, tz: string, since?: number): Period[] {
  if (since !== undefined && since > asOf) throw new UsageError('--since is after --as-of', {}, 'give a --since date before the as-of');
  const last = firstDay(wallDate(asOf, tz), every);
  const first = since === undefined ? shift(last, every, -(DEFAULT_PERIODS - 1)) : firstDay(wallDate(since, tz), every);
  const out: Period[] = [];
  // An as-of exactly at a period's start opens that period, empty: it is the one holding the as-of.
  for (let w = first; at(w, tz) <= asOf; ) {
    const next = shift(w, every, 1);
    out.push({ id: idOf(w, every), start: at(w, tz), end: at(next, tz) });
    w = next;
  }
  out.at(-1)!.end = asOf;
  return out;
}

/** The index of the period holding moment m, -1 before the first; the last period holds its end (the as-of). */
export function periodIndex(periods: readonly Period[], m: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  // NaN (an unknown date) is in no period.
  if (!(m >= periods[0]!.start && m <= periods[hi]!.end)) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (periods[mid]!.start <= m) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
