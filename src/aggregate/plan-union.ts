/**
 * One plan for several rule sets (`funnel whatif`): a single pass over the activities folds what each of them
 * reads. Counters are shared where rule sets map labels alike; each rule set keeps its own score. Each rule set's
 * classifier then reads the union's aggregates through its own view of the plan.
 *
 * The fold looks a raw label up once: its entry says, per rule set, the signal that label is (their `types` may
 * differ), so the entry's feeds are every counter that any rule set counts it in, and its points are per rule set.
 * Entries are enumerated up front, in a fixed order, so that the threads of `--threads` build the same plan.
 */
import type { Cond, Rules } from '../rules/model.js';
import { norm, snakeCase } from '../util/text.js';
import { planActivities, type ActivityPlan, type Counter } from './plan.js';

export interface UnionPlan extends ActivityPlan {
  rulesets: Rules[];
  /** Per rule set: the plan its classifier reads (the union's counters and entries, its signal names, its score). */
  views: ActivityPlan[];
}

function sameTypes(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function planUnion(rulesets: readonly Rules[], asOf: number): UnionPlan {
  const own = rulesets.map((r) => planActivities(r, asOf));
  const types = rulesets.map((r) => r.activities.types);
  // With the same label mapping, a counter of the same signals and window is the same number for every rule set.
  const shared = types.every((t) => sameTypes(t, types[0]!));

  const counters: Counter[] = [];
  const counterKeys = new Map<string, number>();
  const remap = own.map((p, r) =>
    p.counters.map((c) => {
      // As planActivities keys them: by window and start (the replay moves the as-of).
      const key = `${shared ? '' : r}#${c.signals.join('|')}@${c.withinMs ?? ''}@${c.sinceMs ?? ''}`;
      let i = counterKeys.get(key);
      if (i === undefined) {
        i = counters.length;
        counters.push(c);
        counterKeys.set(key, i);
      }
      return i;
    }),
  );
  const counterOf = new Map<Cond, number>();
  own.forEach((p, r) => p.counterOf.forEach((i, cond) => counterOf.set(cond, remap[r]![i]!)));

  // An entry: per rule set, the index of the signal among the ones it reads (-1: it reads none of it).
  const index = own.map((p) => new Map(p.signals.map((s, i) => [s, i])));
  const tupleOf = (mapped: (string | undefined)[], fallback: string): number[] => own.map((_, r) => index[r]!.get(mapped[r] ?? fallback) ?? -1);
  const entries: number[][] = [];
  const entryKeys = new Map<string, number>();
  const add = (t: number[]): void => {
    const key = t.join(',');
    if (t.some((x) => x >= 0) && !entryKeys.has(key)) {
      entryKeys.set(key, entries.length);
      entries.push(t);
    }
  };
  const readSignals = [...new Set(own.flatMap((p) => p.signals))].sort();
  const none = rulesets.map(() => undefined);
  // A label no rule set maps: its snake_case form, the same signal in each.
  for (const s of readSignals) add(tupleOf(none, s));
  // A label some rule set maps: that signal there; elsewhere its snake_case form, which may be any signal (or none).
  const labels = [...new Set(types.flatMap((t) => [...t.keys()]))].sort();
  for (const l of labels) {
    const mapped = types.map((t) => t.get(l));
    if (mapped.every((m) => m !== undefined)) add(tupleOf(mapped, ''));
    else for (const s of [...readSignals, '']) add(tupleOf(mapped, s));
  }

  const feeds = entries.map((t) => [...new Set(t.flatMap((sig, r) => (sig < 0 ? [] : own[r]!.feeds[sig]!.map((c) => remap[r]![c]!))))].sort((a, b) => a - b));
  const scores = own.map((p, r) => ({ halfLifeMs: p.halfLifeMs, points: Float64Array.from(entries, (t) => (t[r]! < 0 ? 0 : p.points[t[r]!]!)) }));
  const indexOfLabel = (label: string): number => {
    const k = norm(label);
    const t = tupleOf(
      types.map((m) => m.get(k)),
      snakeCase(label),
    );
    return entryKeys.get(t.join(',')) ?? -1;
  };
  // Names for reasons: the signal of the entry in this rule set (another's where this one reads none).
  const namesFor = (r: number): string[] => entries.map((t) => (t[r]! >= 0 ? own[r]!.signals[t[r]!]! : own[t.findIndex((x) => x >= 0)]!.signals[t.find((x) => x >= 0)!]!));
  const base = {
    asOf,
    counters,
    counterOf,
    feeds,
    indexOfLabel,
    scores,
    rulesets: [...rulesets],
  };
  const views = own.map((p, r) => ({ ...base, signals: namesFor(r), halfLifeMs: p.halfLifeMs, points: scores[r]!.points, signalOfLabel: p.signalOfLabel, scores: [scores[r]!] }));
  return { ...base, signals: namesFor(0), halfLifeMs: scores[0]!.halfLifeMs, points: scores[0]!.points, signalOfLabel: own[0]!.signalOfLabel, views };
}
