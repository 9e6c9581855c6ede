/**
 * The activity log kept for the replay (SPEC §7): one compact record per event — key slot, signal index, time —
 * 14 bytes, never its text. The fold appends in file order; `byContact` then groups the records per slot in
 * time order (undated first), which is all the replay reads.
 */

/** The records of a log (or of a range folded on another thread), in the order they were added. */
export interface EventData {
  size: number;
  slots: Int32Array;
  /** The signal's index in the plan; -1 for a signal no rule reads (it still dates the contact's first trace). */
  signals: Int16Array;
  /** Epoch ms; NaN when the date could not be read. */
  times: Float64Array;
}

export class EventLog {
  size = 0;
  private slots = new Int32Array(1024);
  private signals = new Int16Array(1024);
  private times = new Float64Array(1024);

  add(slot: number, signal: number, time: number): void {
    const i = this.size;
    if (i === this.slots.length) this.grow(i * 2);
    this.slots[i] = slot;
    this.signals[i] = signal;
    this.times[i] = time;
    this.size = i + 1;
  }

  private grow(n: number): void {
    const s = new Int32Array(n);
    s.set(this.slots.subarray(0, this.size));
    const g = new Int16Array(n);
    g.set(this.signals.subarray(0, this.size));
    const t = new Float64Array(n);
    t.set(this.times.subarray(0, this.size));
    this.slots = s;
    this.signals = g;
    this.times = t;
  }

  data(): EventData {
    const n = this.size;
    return { size: n, slots: this.slots.subarray(0, n), signals: this.signals.subarray(0, n), times: this.times.subarray(0, n) };
  }

  /** Appends the records of a later range, its slots mapped to this log's by `slotOf`. */
  append(d: EventData, slotOf: Int32Array): void {
    const need = this.size + d.size;
    if (need > this.slots.length) this.grow(Math.max(need, this.slots.length * 2));
    for (let i = 0; i < d.size; i++) {
      const j = this.size + i;
      this.slots[j] = slotOf[d.slots[i]!]!;
      this.signals[j] = d.signals[i]!;
      this.times[j] = d.times[i]!;
    }
    this.size = need;
  }

  /** The records grouped per slot, in time order; the log is emptied (its memory goes to the grouping). */
  byContact(slots: number): ContactEvents {
    const n = this.size;
    const starts = new Int32Array(new SharedArrayBuffer((slots + 1) * 4));
    for (let i = 0; i < n; i++) starts[this.slots[i]! + 1]!++;
    for (let s = 0; s < slots; s++) starts[s + 1]! += starts[s]!;
    const fill = starts.slice(0, slots);
    // In shared memory: threads classifying ranges of the contacts replay from these very arrays, without a copy.
    const times = new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8));
    const signals = new Int16Array(new SharedArrayBuffer(Math.max(1, n) * 2));
    for (let i = 0; i < n; i++) {
      const j = fill[this.slots[i]!]!++;
      times[j] = this.times[i]!;
      signals[j] = this.signals[i]!;
    }
    this.size = 0;
    this.slots = new Int32Array(0);
    this.signals = new Int16Array(0);
    this.times = new Float64Array(0);
    for (let s = 0; s < slots; s++) sortRange(times, signals, starts[s]!, starts[s + 1]!);
    return { starts, times, signals };
  }
}

/** Per slot s, its events are at starts[s] .. starts[s + 1] - 1: undated (NaN) first, then by time, ties in file order. */
export interface ContactEvents {
  starts: Int32Array;
  times: Float64Array;
  signals: Int16Array;
}

/** Whether a record at time a goes after one at time b: undated ones first, then by time. */
const after = (a: number, b: number): boolean => !Number.isNaN(a) && (Number.isNaN(b) || a > b);

/** Sorts one contact's records by time, stable: insertion for the usual handful, a merge sort past that. */
function sortRange(times: Float64Array, signals: Int16Array, from: number, to: number): void {
  if (to - from <= 32) {
    for (let i = from + 1; i < to; i++) {
      const t = times[i]!;
      const g = signals[i]!;
      let j = i - 1;
      while (j >= from && after(times[j]!, t)) {
        times[j + 1] = times[j]!;
        signals[j + 1] = signals[j]!;
        j--;
      }
      times[j + 1] = t;
      signals[j + 1] = g;
    }
    return;
  }
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  const key = (i: number): number => (Number.isNaN(times[i]!) ? -Infinity : times[i]!);
  // Array.prototype.sort is stable: ties keep file order.
  idx.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const t = idx.map((i) => times[i]!);
  const g = idx.map((i) => signals[i]!);
  times.set(t, from);
  signals.set(g, from);
}
