/**
 * The replay of one contact as `funnel explain` tells it: when it reached each stage and the event that made
 * it (SPEC §7), its peak, the start of its stay and its SLA state — the values `classify --stage-dates` writes.
 */
import type { EventDetail } from '../aggregate/folder.js';
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Aggregates } from '../aggregate/store.js';
import { isoTime } from '../values/dates.js';
import type { Rules } from '../rules/model.js';
import type { Classifier, Verdict } from './classifier.js';
import { StageDates } from './stage-dates.js';
import type { Entry } from './timeline.js';

export interface ExplainedDates {
  /** How the contact entered the replay, and when (null when it enters at the as-of or later). */
  how: Entry;
  entry: string | null;
  stages: { id: string; became: string | null; by: string | null }[];
  peak: string | null;
  stage_since: string;
  sla: 'ok' | 'overdue' | '';
}

/** What made a moment: the events at that instant, else the creation date or the as-of. */
function cause(m: number, events: readonly EventDetail[], how: Entry, entry: number, asOf: number): string {
  const at = events.filter((e) => e.time === m && e.signal !== '');
  if (at.length) return at.map((e) => `${e.signal} (${e.label.trim()}, line ${e.line})`).join('; ');
  if (m === entry && how === 'created') return 'its creation date (contacts.created), with its fields and undated events';
  if (m === asOf) return 'the as-of (a window or a decay as of then)';
  return 'a window or a decay as of then';
}

/**
 * Replays the contact, sets the verdict's stage to where the replay ends (as classify --stage-dates does) and
 * returns the dates. `verdictAt(floor)` classifies the contact at the as-of with a floor.
 */
export function explainDates(rules: Rules, classifier: Classifier, plan: ActivityPlan, aggs: Aggregates, asOf: number, contact: { values: readonly string[]; slot: number; created: number }, events: readonly EventDetail[], verdictAt: (floor: number, keptBy: string) => Verdict): { verdict: Verdict; dates: ExplainedDates } {
  const sd = new StageDates(rules, classifier, plan, aggs.events!.byContact(aggs.size), asOf);
  const tl = sd.replay(contact.values, contact.slot, contact.created);
  const verdict = verdictAt(tl.floor, sd.keptBy(tl));
  const cells = sd.cells(verdict, tl, undefined);
  const stages = rules.stages.slice(1).map((s, k) => {
    const m = tl.became[k + 1]!;
    return { id: s.id, became: Number.isNaN(m) ? null : isoTime(m), by: Number.isNaN(m) ? null : cause(m, events, tl.how, tl.entry, asOf) };
  });
  const peak = Math.max(tl.peak, verdict.stageIndex);
  return {
    verdict,
    dates: { how: tl.how, entry: Number.isNaN(tl.entry) ? null : isoTime(tl.entry), stages, peak: peak >= 0 ? rules.stages[peak]!.id : null, stage_since: cells.since, sla: cells.sla },
  };
}
