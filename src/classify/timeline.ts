/**
 * The replay of SPEC §7: a contact's events in time order, the rules evaluated as of each moment — its entry,
 * each event, each period end asked for (history), and the as-of — by the very decision `classify` makes
 * (Classifier.stageAt), with `allow_regression` applied at every moment as runs with `--previous` would.
 * At the as-of the contact's activity is the fold's aggregates themselves, so the last moment is `classify`.
 */
import type { ContactEvents } from '../aggregate/events.js';
import type { ActivityPlan } from '../aggregate/plan.js';
import { ReplayState } from '../aggregate/replay-state.js';
import type { Rules } from '../rules/model.js';
import type { Classifier } from './classifier.js';
import { allConditions } from '../rules/walk.js';

/** A period end before the contact entered the replay. */
export const NOT_ENTERED = -32768;

/** How a contact entered the replay. */
export type Entry = 'created' | 'event' | 'as-of' | 'later';

/** What the replay of one contact leaves (one object, reused from contact to contact). */
export interface ContactTimeline {
  /**
   * `created`/`event`: at its creation or first dated event (`entry`); `as-of`: neither is known, it enters at
   * the as-of with empty stage dates; `later`: its first trace is after the as-of, so it does not exist yet.
   */
  how: Entry;
  entry: number;
  /** Per stage: when the rules first put the contact at that stage or a more mature one; NaN if never (or unknown). */
  became: Float64Array;
  /** Per stage: whether that moment was an event's (else the entry, a period end or the as-of). */
  becameByEvent: Uint8Array;
  /** The most mature stage reached, -1 for none (disqualified all along). */
  peak: number;
  /** The stage held just before the as-of (the floor of the last moment without regression); 0 for none. */
  floor: number;
  /** At the as-of: a stage index, or -1 - i for disqualify rule i. */
  last: number;
  /** The start of the stay at `last`; NaN when unknown. */
  since: number;
  /** Per period end: the code held then (as `last`), NOT_ENTERED before the entry; and the start of that stay. */
  atEnd: Int32Array;
  sinceAtEnd: Float64Array;
  /** The moments at which the contact became disqualified (from a stage, or at its entry). */
  disqualifiedAt: number[];
}

export class Replayer {
  private readonly state: ReplayState;
  private readonly memo: Int8Array;
  private readonly stages: number;
  private readonly allowRegression: boolean;
  /** Whether the verdict can change with the moment alone: a decaying score the rules read, a date field's window. */
  private readonly timeDependent: boolean;
  readonly result: ContactTimeline;

  /** `ends`: the period ends before the as-of, ascending, at which the replay also evaluates (history). */
  constructor(
    private readonly classifier: Classifier,
    rules: Rules,
    plan: ActivityPlan,
    private readonly events: ContactEvents,
    private readonly asOf: number,
    private readonly ends: Float64Array = new Float64Array(0),
  ) {
    this.state = new ReplayState(plan);
    this.memo = new Int8Array(classifier.fieldMemoSize);
    this.stages = rules.stages.length;
    this.allowRegression = rules.allowRegression;
    const conds = allConditions(rules);
    this.timeDependent = (plan.halfLifeMs !== undefined && conds.some((c) => c.kind === 'score')) || conds.some((c) => c.kind === 'field' && c.ops.some((o) => o.op === 'within'));
    this.result = {
      how: 'as-of',
      entry: NaN,
      became: new Float64Array(this.stages),
      becameByEvent: new Uint8Array(this.stages),
      peak: -1,
      floor: 0,
      last: 0,
      since: NaN,
      atEnd: new Int32Array(ends.length),
      sinceAtEnd: new Float64Array(ends.length),
      disqualifiedAt: [],
    };
  }

  /** Replays one contact: its row values, activity slot (-1 for none) and creation time (NaN when unknown). */
  run(values: readonly string[], slot: number, created: number): ContactTimeline {
    const r = this.result;
    r.became.fill(NaN);
    r.becameByEvent.fill(0);
    r.atEnd.fill(NOT_ENTERED);
    r.sinceAtEnd.fill(NaN);
    r.disqualifiedAt.length = 0;
    r.peak = -1;
    r.floor = 0;
    r.since = NaN;
    this.memo.fill(0);
    const ev = this.events;
    const from = slot < 0 ? 0 : ev.starts[slot]!;
    const to = slot < 0 ? 0 : ev.starts[slot + 1]!;
    let first = from;
    while (first < to && Number.isNaN(ev.times[first]!)) first++;
    const firstDated = first < to ? ev.times[first]! : NaN;
    const asOf = this.asOf;
    // The entry: the creation or the first dated event, whichever is earlier (an event before the creation date
    // is a trace of the contact all the same).
    let entry = Infinity;
    if (created <= asOf) entry = created;
    if (firstDated <= asOf && firstDated < entry) entry = firstDated;
    if (entry === Infinity) {
      r.how = created > asOf || firstDated > asOf ? 'later' : 'as-of';
      r.entry = NaN;
      r.last = this.classifier.stageAtAsOf(values, slot, this.memo);
      if (r.last >= 0) r.peak = r.last;
      return r;
    }
    r.how = entry === created ? 'created' : 'event';
    r.entry = entry;
    this.replay(values, slot, from, to, entry);
    return r;
  }

  private replay(values: readonly string[], slot: number, from: number, to: number, entry: number): void {
    const r = this.result;
    const st = this.state;
    const ends = this.ends;
    const asOf = this.asOf;
    st.start(this.events, from, to, entry);
    let p = 0;
    while (p < ends.length && ends[p]! < entry) p++;
    let stage = NOT_ENTERED;
    let floor = 0;
    let since = NaN;
    let code = 0;
    for (let m = entry; ; ) {
      let byEvent = false;
      if (m < asOf) {
        const before = st.taken();
        const changed = st.advance(m);
        byEvent = st.taken() > before;
        // Incremental: a moment where no counter moved and nothing reads time itself keeps the last verdict.
        if (changed || this.timeDependent || m === entry) code = this.classifier.stageAt(values, st.view, m, this.memo);
      } else {
        byEvent = st.next() <= asOf;
        code = this.classifier.stageAtAsOf(values, slot, this.memo);
        r.floor = floor;
      }
      if (code < 0) {
        if (stage === NOT_ENTERED || stage >= 0) {
          since = m;
          r.disqualifiedAt.push(m);
        }
        stage = code;
        floor = 0;
      } else {
        const s = this.allowRegression ? code : Math.max(code, floor);
        if (!this.allowRegression) floor = s;
        for (let x = r.peak + 1; x <= code; x++) {
          r.became[x] = m;
          r.becameByEvent[x] = byEvent ? 1 : 0;
        }
        if (code > r.peak) r.peak = code;
        if (s !== stage) since = m;
        stage = s;
      }
      if (p < ends.length && ends[p] === m) {
        r.atEnd[p] = stage;
        r.sinceAtEnd[p] = since;
        p++;
      }
      if (m >= asOf) break;
      m = Math.min(st.next(), p < ends.length ? ends[p]! : Infinity, asOf);
    }
    r.last = stage;
    r.since = since;
  }
}
