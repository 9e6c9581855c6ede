/**
 * `classify --stage-dates` (and rules with an `sla`, which imply it): the replay of each contact gives the
 * floor its last moment stands on, then `funnel_became_<stage>`, `funnel_peak_stage`, `funnel_stage_since`
 * and `funnel_sla` (SPEC §7). Without it `funnel_stage_since` is the previous run's date or the as-of.
 */
import { InputError } from '../errors.js';
import { findColumn } from '../values/headers.js';
import { isoTime, parseDate, type DateOrder } from '../values/dates.js';
import type { ContactEvents } from '../aggregate/events.js';
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Rules, Stage } from '../rules/model.js';
import type { Classifier, Verdict } from './classifier.js';
import { Replayer, type ContactTimeline } from './timeline.js';

export interface PreviousStage {
  stage: string;
  since: string;
}

/** The columns --stage-dates adds after the others, without the prefix. */
export function stageDateColumns(rules: Rules): string[] {
  return [...rules.stages.slice(1).map((s) => `became_${s.id}`), 'peak_stage', 'sla'];
}

export function hasSla(rules: Rules): boolean {
  return rules.stages.some((s) => s.sla !== undefined);
}

/** The creation date column of `contacts.created` in a header: -1 when the rules name none; an error when missing. */
export function createdColumn(rules: Rules, headers: readonly string[], file: string): number {
  const name = rules.contacts.created;
  if (name === undefined) return -1;
  const m = findColumn(headers, name);
  if (m.index !== -1) return m.index;
  throw new InputError(
    m.ambiguous ? `the creation column '${name}' matches several columns (${m.ambiguous.join(', ')})` : `no creation column '${name}'`,
    { file, line: 1 },
    `set contacts.created in the rules to one of: ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`,
  );
}

/** A contact's creation time from its row (`col` the column of `contacts.created`, named `name`); NaN (with a row warning when the value is there but unreadable) else. */
export function createdAt(values: readonly string[], col: number, name: string | undefined, tz: string, order: DateOrder | undefined, warnings: string[]): number {
  if (col < 0) return NaN;
  const text = values[col] ?? '';
  if (text.trim() === '') return NaN;
  const t = parseDate(text, tz, order);
  if (Number.isNaN(t)) warnings.push(`unparsable date in ${name}: '${text.trim()}'`);
  return t;
}

/** The SLA state of a stage for a stay that started at `since`, as of `at`: overdue past `within`, strictly. */
export function slaState(stage: Stage | undefined, since: number, at: number): 'ok' | 'overdue' | '' {
  if (!stage?.sla) return '';
  return at - since > stage.sla.withinMs ? 'overdue' : 'ok';
}

export class StageDates {
  private readonly replayer: Replayer;
  private readonly asOfText: string;

  constructor(
    private readonly rules: Rules,
    classifier: Classifier,
    plan: ActivityPlan,
    events: ContactEvents,
    private readonly asOf: number,
  ) {
    this.replayer = new Replayer(classifier, rules, plan, events, asOf);
    this.asOfText = isoTime(asOf);
  }

  /** Replays a contact; the floor for classify's verdict at the as-of is `.floor` of the result. */
  replay(values: readonly string[], slot: number, created: number): ContactTimeline {
    return this.replayer.run(values, slot, created);
  }

  /**
   * The stage-date cells of a verdict and its stage_since; sets the verdict's action to the SLA's when it is
   * overdue and the consent action does not apply. `tl` is this contact's replay.
   */
  /** Why a verdict below the replay's floor is kept there, for its reason: `reached 2026-01-10`. */
  keptBy(tl: ContactTimeline): string {
    const t = tl.became[tl.floor]!;
    return Number.isNaN(t) ? 'kept by the replay of the activities' : `reached ${isoTime(t).slice(0, 10)}`;
  }

  cells(v: Verdict, tl: ContactTimeline, prev: PreviousStage | undefined): { since: string; sla: 'ok' | 'overdue' | ''; added: string[] } {
    const stages = this.rules.stages;
    // The replay's stay counts when the verdict is where the replay ended (a previous run's floor may be above it).
    const sameEnd = v.stageIndex < 0 ? tl.last < 0 : v.stageIndex === tl.last;
    let since = sameEnd ? tl.since : NaN;
    if (prev && prev.stage === v.stage && prev.since) {
      const p = parseDate(prev.since, 'UTC');
      if (!Number.isNaN(p) && !(p >= since)) since = p;
    }
    if (Number.isNaN(since)) since = this.asOf;
    const stage = v.stageIndex >= 0 ? stages[v.stageIndex] : undefined;
    const sla = slaState(stage, since, this.asOf);
    if (sla === 'overdue' && !(stage!.needsConsent && !v.consent && this.rules.consent)) v.action = stage!.sla!.action;
    const peak = Math.max(tl.peak, v.stageIndex);
    const added: string[] = [];
    // Stages reached together share a date: formatted once.
    let t = NaN;
    let text = '';
    for (let i = 1; i < stages.length; i++) {
      const b = tl.became[i]!;
      if (Number.isNaN(b)) added.push('');
      else {
        if (b !== t) {
          t = b;
          text = isoTime(b);
        }
        added.push(text);
      }
    }
    added.push(peak >= 0 ? stages[peak]!.id : '', sla);
    return { since: since === this.asOf ? this.asOfText : isoTime(since), sla, added };
  }
}
