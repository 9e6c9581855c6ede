/**
 * What the rules read of the activities, decided once before folding: which signals matter, the counters
 * that the `activity` conditions test (signals × window), and the points for the score. Everything else
 * in an activity row is read past, so memory grows with contacts, not with events.
 */
import type { Cond, Rules } from '../rules/model.js';
import { norm, snakeCase } from '../util/text.js';
import { allConditions } from '../rules/walk.js';

export interface Counter {
  signals: readonly string[];
  /** Events at or after this instant count; undefined counts every event, undated ones included. */
  from?: number;
  /** The window and the start date it is made of, for the replay's moments other than as-of. */
  withinMs?: number;
  sinceMs?: number;
}

export interface ActivityPlan {
  asOf: number;
  halfLifeMs?: number;
  /** The signals read by the rules, in a fixed order; an event of another signal only counts as a row. */
  signals: string[];
  counters: Counter[];
  /** Counter index of each activity condition. */
  counterOf: Map<Cond, number>;
  /** Per signal index: the counters it feeds, and its points. */
  feeds: number[][];
  points: Float64Array;
  /** Raw label → signal, as the rules map it. */
  signalOfLabel: (label: string) => string;
  /** The fold entry (index into `signals`, `feeds`, `points`) of a raw label; -1 when no rule reads it. */
  indexOfLabel: (label: string) => number;
  /**
   * The engagement scores folded: one per rule set (`whatif` folds two at once). Channel 0 is `halfLifeMs` and
   * `points`.
   */
  scores: { halfLifeMs?: number; points: Float64Array }[];
  /** The rule sets of a plan made for several (plan-union.ts), for the threads of `--threads` to make it again. */
  rulesets?: Rules[];
}

export function planActivities(rules: Rules, asOf: number): ActivityPlan {
  const counters: Counter[] = [];
  const counterKeys = new Map<string, number>();
  const counterOf = new Map<Cond, number>();
  for (const c of allConditions(rules)) {
    if (c.kind !== 'activity') continue;
    let from: number | undefined;
    if (c.within) from = asOf - c.within.ms;
    if (c.since) from = from === undefined ? c.since.ms : Math.max(from, c.since.ms);
    const signals = [...new Set(c.signals)].sort();
    // Keyed by window and start, not by the instant they give at as-of: the replay moves the as-of.
    const key = `${signals.join('|')}@${c.within?.ms ?? ''}@${c.since?.ms ?? ''}`;
    let idx = counterKeys.get(key);
    if (idx === undefined) {
      idx = counters.length;
      counters.push({ signals, from, withinMs: c.within?.ms, sinceMs: c.since?.ms });
      counterKeys.set(key, idx);
    }
    counterOf.set(c, idx);
  }
  const signalSet = new Set<string>();
  counters.forEach((c) => c.signals.forEach((s) => signalSet.add(s)));
  for (const s of rules.scoring.points.keys()) signalSet.add(s);
  const signals = [...signalSet].sort();
  const feeds = signals.map((s) => counters.flatMap((c, i) => (c.signals.includes(s) ? [i] : [])));
  const points = Float64Array.from(signals, (s) => rules.scoring.points.get(s) ?? 0);
  const types = rules.activities.types;
  const signalOfLabel = (label: string): string => types.get(norm(label)) ?? snakeCase(label);
  const signalIndex = new Map(signals.map((s, i) => [s, i]));
  return {
    asOf,
    halfLifeMs: rules.scoring.halfLifeMs,
    signals,
    counters,
    counterOf,
    feeds,
    points,
    signalOfLabel,
    indexOfLabel: (label) => signalIndex.get(signalOfLabel(label)) ?? -1,
    scores: [{ halfLifeMs: rules.scoring.halfLifeMs, points }],
  };
}
