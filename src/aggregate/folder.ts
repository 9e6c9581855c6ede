/**
 * The fold of activity rows into the aggregates, as a record visitor: what `foldActivities` runs over a whole
 * file and a thread of `--threads` over a range of it. It imports nothing that reads files, so that a thread
 * starts quickly.
 */
import { InputError } from '../errors.js';
import { isoFastBytes, parseDate, slashHint, slashHintBytes, type DateOrder } from '../values/dates.js';
import type { Rec, Span } from '../input/record.js';
import type { Rules } from '../rules/model.js';
import type { ActivityPlan } from './plan.js';
import { normalizeKey } from '../values/keys.js';
import { BLANK_KEY, type Aggregates } from './store.js';
import { BLANK_LABEL, LabelCodes } from './label-codes.js';
import { decayCache, decayFactor } from './decay.js';
import { LONG_RECORD_LINES, noteLongRecord, type LongRecords } from '../input/long-records.js';

export interface FoldStats {
  file: string;
  rows: number;
  /** Rows without a key: they can match no contact. */
  noKey: number;
  /** Rows whose date could not be read: they count for `activity` without a window only. */
  undated: number;
  /** Rows dated after as-of: ignored. */
  afterAsOf: number;
  /** Rows without an activity type. */
  noType: number;
  /** The key column's name (set by the caller that resolved it). */
  keyColumn?: string;
  /** Records spanning many lines (a stray quote?). */
  longRecords?: LongRecords;
}

/** One event as explain sees it. */
export interface EventDetail {
  signal: string;
  label: string;
  time: number;
  line: number;
  points: number;
}

export interface FoldOptions {
  rules: Rules;
  plan: ActivityPlan;
  aggs: Aggregates;
  /** Only this normalised key is folded, and each of its events reported (for explain). */
  only?: { key: string; onEvent: (e: EventDetail) => void };
  onProgress?: (rows: number, ownRows?: number) => void;
  warn: (message: string) => void;
}

export interface ActivityColumns {
  key: number;
  type: number;
  time: number;
}

/** A range of a file folded on its own (after its first record), not knowing what came before it. */
export class RangeAbort extends Error {}

export interface Folder {
  visit(row: Rec): void;
  /** After the last row: slash dates still waiting for their order are an error. */
  finish(): void;
  /** Rows waiting for the slash-date order. */
  pending(): number;
  stats: FoldStats;
}

/**
 * What one dated (or undated) event of a known key does to the aggregates: the counters its signal feeds within
 * their windows, the latest time per counter, the score of each rule set; `only` is told each event (explain).
 */
function eventApplier(plan: ActivityPlan, aggs: Aggregates, stats: FoldStats, only: FoldOptions['only']): (slot: number, sig: number, t: number, label: string, line: number) => void {
  const { asOf, halfLifeMs, feeds, points, counters } = plan;
  const nCounters = counters.length;
  const froms = counters.map((c) => c.from ?? -Infinity);
  // Scores after the first: the other rule sets of a `whatif`.
  const moreScores = plan.scores.slice(1);
  const log = aggs.events;
  const decay = decayCache(asOf, halfLifeMs);
  return (slot, sig, t, label, line) => {
    // Every event, later ones included: the replay needs the first trace of a contact, whatever its signal.
    log?.add(slot, sig, t);
    if (t > asOf) {
      stats.afterAsOf++;
      return;
    }
    if (Number.isNaN(t)) stats.undated++;
    if (sig < 0) {
      only?.onEvent({ signal: label.trim() === '' ? '' : plan.signalOfLabel(label), label, time: t, line, points: 0 });
      return;
    }
    const base = slot * nCounters;
    for (const c of feeds[sig]!) {
      // An undated event counts only for counters without a window (from = -Infinity).
      if (t >= froms[c]! || (Number.isNaN(t) && froms[c] === -Infinity)) {
        aggs.counts[base + c]!++;
        if (!Number.isNaN(t) && !(t <= aggs.last[base + c]!)) {
          aggs.last[base + c] = t;
          aggs.lastSignal[base + c] = sig;
        }
      }
    }
    const p = points[sig]!;
    let contribution = 0;
    if (p !== 0) {
      if (halfLifeMs === undefined) contribution = p;
      else if (!Number.isNaN(t)) contribution = p * decay(t);
      aggs.addScore(slot, contribution);
    }
    for (let k = 0; k < moreScores.length; k++) {
      const sc = moreScores[k]!;
      const q = sc.points[sig]!;
      if (q === 0) continue;
      if (sc.halfLifeMs === undefined) aggs.addScore(slot, q, k + 1);
      else if (!Number.isNaN(t)) aggs.addScore(slot, q * decayFactor(asOf - t, sc.halfLifeMs), k + 1);
    }
    only?.onEvent({ signal: plan.signals[sig]!, label, time: t, line, points: contribution });
  };
}

/** The end of a file whose slash dates no row decided: the first of them, with the hint. */
function undecidedSlashDates(file: string, first: { text: string; line: number }): InputError {
  return new InputError(
    `cannot tell the order of slash dates such as '${first.text.trim()}': no date in this file has a day above 12`,
    { file, line: first.line },
    'set activities.date_order: dmy (day first) or mdy (month first) in the rules',
  );
}

/**
 * The fold as a record visitor. With `range`, the rows are a range of a file starting after its first record: a
 * slash date whose order the file's earlier rows may have decided throws RangeAbort (the caller folds the file in
 * one piece instead), and rows never decide the order, as only the file's first such row does.
 */
export function createFolder(file: string, cols: ActivityColumns, opts: FoldOptions & { range?: boolean }): Folder {
  const { rules, plan, aggs } = opts;
  const tz = rules.activities.timezone;
  const mode = rules.contacts.normalize;
  const labels = new LabelCodes((label) => plan.indexOfLabel(label));
  const span: Span = { start: 0, end: 0 };
  const stats: FoldStats = { file, rows: 0, noKey: 0, undated: 0, afterAsOf: 0, noType: 0 };
  const apply = eventApplier(plan, aggs, stats, opts.only);

  let order: DateOrder | undefined = rules.activities.dateOrder === 'auto' ? undefined : rules.activities.dateOrder;
  let pending: { slot: number; sig: number; text: string; line: number; label: string }[] = [];

  const flushPending = (): void => {
    for (const p of pending) apply(p.slot, p.sig, parseDate(p.text, tz, order), p.label, p.line);
    pending = [];
  };
  const visit = (row: Rec): void => {
    stats.rows++;
    if (row.lines !== undefined && row.lines > LONG_RECORD_LINES) stats.longRecords = noteLongRecord(stats.longRecords, row);
    if (opts.onProgress && (stats.rows & 0xffff) === 0) opts.onProgress(stats.rows);
    // The date read from its bytes when they can tell (an ISO date); else from its text, as `parseDate` reads it.
    const time = row.fieldBytes(cols.time, span);
    const { start, end } = span;
    let text = time === undefined ? row.field(cols.time) : undefined;
    // Every row of the file takes part in deciding the slash-date order, whichever key it has.
    let ambiguous = false;
    if (order === undefined && (time === undefined || slashHintBytes(time, start, end) === undefined)) {
      text ??= row.field(cols.time);
      const hint = slashHint(text);
      if (opts.range) {
        if (hint === 'ambiguous') throw new RangeAbort('a slash date whose order this range cannot tell');
      } else if (hint === 'dmy' || hint === 'mdy') {
        order = hint;
        flushPending();
      } else ambiguous = hint === 'ambiguous';
    }
    let slot: number;
    if (opts.only) {
      const key = normalizeKey(row.field(cols.key), mode);
      if (key.trim() === '') {
        stats.noKey++;
        return;
      }
      if (key !== opts.only.key) return;
      slot = aggs.slot(key);
    } else {
      slot = aggs.slotOf(row, cols.key, mode, true);
      if (slot === BLANK_KEY) {
        stats.noKey++;
        return;
      }
    }
    aggs.rows[slot]!++;
    let sig = labels.code(row, cols.type);
    if (sig === BLANK_LABEL) {
      stats.noType++;
      sig = -1;
    }
    // The label's text only for explain, which reports each event.
    const label = opts.only ? row.field(cols.type) : '';
    if (ambiguous) pending.push({ slot, sig, text: text!, line: row.line, label });
    else {
      const fast = text === undefined ? isoFastBytes(time!, start, end, tz) : undefined;
      apply(slot, sig, fast ?? parseDate(text ?? row.field(cols.time), tz, order), label, row.line);
    }
  };
  const finish = (): void => {
    if (pending.length) throw undecidedSlashDates(file, pending[0]!);
  };
  return { visit, finish, pending: () => pending.length, stats };
}

