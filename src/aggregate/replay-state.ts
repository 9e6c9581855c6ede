/**
 * One contact's activity as of a moving moment, for the replay (SPEC §7): its events (grouped per contact by
 * EventLog.byContact) are taken in time order as the moment advances; each counter counts what its window
 * holds then, the score is decayed to then. It is what the fold computes at as-of, computed at every moment
 * of the contact in one pass over its events — an event is added once and leaves each window once.
 */
import type { ActivityView } from './activity-view.js';
import type { ContactEvents } from './events.js';
import type { ActivityPlan } from './plan.js';
import { decayFactor } from './decay.js';

export class ReplayState {
  readonly view: ActivityView;
  private readonly counts: Uint32Array;
  private readonly last: Float64Array;
  private readonly lastSignal: Int32Array;
  private readonly feeds: readonly (readonly number[])[];
  private readonly points: Float64Array;
  private readonly halfLifeMs?: number;
  /** Per counter: its window (Infinity: none) and the first instant it counts (-Infinity: any). */
  private readonly within: Float64Array;
  private readonly since: Float64Array;
  /** Counters with a window, and per such counter the next event that has not yet left it. */
  private readonly windowed: Int32Array;
  private readonly tail: Int32Array;
  private events!: ContactEvents;
  /** The next event to take, and the end of the contact's events. */
  private head = 0;
  private end = 0;
  private firstDated = 0;
  /** The score at `ref`, as a running sum and what its roundings lost (as the fold keeps it). */
  private sum = 0;
  private err = 0;
  private ref = 0;

  constructor(plan: ActivityPlan) {
    const n = plan.counters.length;
    this.counts = new Uint32Array(n);
    this.last = new Float64Array(n);
    this.lastSignal = new Int32Array(n);
    this.feeds = plan.feeds;
    this.points = plan.points;
    this.halfLifeMs = plan.halfLifeMs;
    this.within = Float64Array.from(plan.counters, (c) => c.withinMs ?? Infinity);
    this.since = Float64Array.from(plan.counters, (c) => c.sinceMs ?? -Infinity);
    this.windowed = Int32Array.from(plan.counters.flatMap((c, i) => (c.withinMs !== undefined ? [i] : [])));
    this.tail = new Int32Array(this.windowed.length);
    this.view = { counts: this.counts, last: this.last, lastSignal: this.lastSignal, base: 0, score: 0 };
  }

  /**
   * Starts a contact (its events at `from`..`to` of `events`) at its entry moment: the counters empty but for
   * its undated events, which count from the entry for counters without a window or start, and for the score
   * when there is no decay (as the fold counts them).
   */
  start(events: ContactEvents, from: number, to: number, entry: number): void {
    this.events = events;
    this.counts.fill(0);
    this.last.fill(NaN);
    this.sum = 0;
    this.err = 0;
    this.ref = entry;
    let i = from;
    const times = events.times;
    for (; i < to && Number.isNaN(times[i]!); i++) {
      const sig = events.signals[i]!;
      if (sig < 0) continue;
      for (const c of this.feeds[sig]!) if (this.within[c] === Infinity && this.since[c] === -Infinity) this.counts[c]!++;
      if (this.halfLifeMs === undefined) this.addScore(this.points[sig]!);
    }
    this.head = i;
    this.end = to;
    this.firstDated = i;
    this.tail.fill(i);
    this.view.score = this.sum + this.err;
  }

  /** The time of the next event not yet taken, Infinity when none is left. */
  next(): number {
    return this.head < this.end ? this.events.times[this.head]! : Infinity;
  }

  /**
   * Takes the events up to and at `moment` and lets the windows move to it. Returns whether a counter or the
   * score (beyond its decay) changed: when not, only conditions on time itself can have changed.
   */
  advance(moment: number): boolean {
    let changed = false;
    const { times, signals } = this.events;
    const hl = this.halfLifeMs;
    while (this.head < this.end && times[this.head]! <= moment) {
      const t = times[this.head]!;
      const sig = signals[this.head]!;
      this.head++;
      if (sig < 0) continue;
      changed = true;
      for (const c of this.feeds[sig]!) {
        if (t < this.since[c]!) continue;
        this.counts[c]!++;
        this.last[c] = t;
        this.lastSignal[c] = sig;
      }
      const p = this.points[sig]!;
      if (p !== 0) {
        if (hl !== undefined) this.decayTo(t);
        this.addScore(p);
      }
    }
    for (let k = 0; k < this.windowed.length; k++) {
      const c = this.windowed[k]!;
      // A window includes its edge: an event exactly `within` before the moment still counts.
      const lower = moment - this.within[c]!;
      let i = this.tail[k]!;
      for (; i < this.head && times[i]! < lower; i++) {
        const sig = signals[i]!;
        if (sig >= 0 && times[i]! >= this.since[c]! && this.feeds[sig]!.includes(c)) {
          this.counts[c]!--;
          changed = true;
        }
      }
      this.tail[k] = i;
    }
    if (hl !== undefined) this.decayTo(moment);
    this.view.score = this.sum + this.err;
    return changed;
  }

  /** The dated events of the contact taken so far (for the event that made a stage date). */
  taken(): number {
    return this.head - this.firstDated;
  }

  private decayTo(t: number): void {
    if (t === this.ref) return;
    const f = decayFactor(t - this.ref, this.halfLifeMs!);
    this.sum *= f;
    this.err *= f;
    this.ref = t;
  }

  private addScore(c: number): void {
    const s = this.sum;
    const t = s + c;
    this.err += Math.abs(s) >= Math.abs(c) ? s - t + c : c - t + s;
    this.sum = t;
  }
}
