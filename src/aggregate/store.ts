/**
 * Per-contact activity aggregates in flat typed arrays: a slot per key, a few numbers per counter.
 * At a million contacts and a handful of counters this is tens of megabytes, whatever the event count.
 */

import { BLANK_KEY, normalizeKey, normalizeKeyBytes, type KeyScratch } from '../values/keys.js';
import type { Rec, Span } from '../input/record.js';
import { KeyTable, type KeyTableParts } from './key-table.js';
import { sameBytes } from '../values/key-hash.js';
import { EventLog, type EventData } from './events.js';

export { BLANK_KEY } from '../values/keys.js';

/** The activity numbers per slot, as threads exchange them. */
interface SlotNumbers {
  size: number;
  counts: Uint32Array;
  last: Float64Array;
  lastSignal: Int32Array;
  score: Float64Array;
  scoreError: Float64Array;
  rows: Uint32Array;
}

/** What a range folded on another thread sends back: its keys and their numbers, in its slot order. */
export interface AggregateData extends SlotNumbers {
  arena: Uint8Array;
  starts: Int32Array;
  /** The range's events, when the run replays them. */
  events?: EventData;
}

/** The buffers behind AggregateData, to move it between threads without a copy. */
export function buffersOf(d: AggregateData): ArrayBuffer[] {
  const ev = d.events ? [d.events.slots, d.events.signals, d.events.times] : [];
  return [d.arena, d.starts, d.counts, d.last, d.lastSignal, d.score, d.scoreError, d.rows, ...ev].map((a) => a.buffer as ArrayBuffer);
}

/**
 * The aggregates in memory that threads share, for classifying contacts on several threads: read there, and
 * `matched` written there (a slot set to 1 by any thread is claimed).
 */
export interface SharedAggregates extends SlotNumbers {
  counters: number;
  scores: number;
  keys: KeyTableParts;
  matched: Uint8Array;
  contactRows: Uint32Array;
}

/**
 * The last key looked up from bytes, and its slot: exports list a contact's activities together more often than
 * not, and a row of the same key as the row before is then found without a probe of the table (at a million keys,
 * a few cache misses each). A row of another key costs a compare of a few bytes. The field's raw bytes are
 * remembered too: a row whose field is the same to the byte (most rows of a contact) is not even normalised.
 */
class RecentKey {
  private buf = new Uint8Array(64);
  private len = -1;
  private hash = 0;
  slot = -1;
  /** The raw field of the last row found to be `slot`'s, and the mode it was normalised by. */
  private raw = new Uint8Array(64);
  private rawLen = -1;
  private rawMode = '';

  /** Whether the field `src[s, e)` is the raw field remembered, byte for byte, under the same mode. */
  sameRaw(src: Uint8Array, s: number, e: number, mode: string): boolean {
    const len = e - s;
    if (len !== this.rawLen || mode !== this.rawMode) return false;
    return sameBytes(this.raw, 0, src, s, len);
  }

  /** The raw field of a row found to be `slot`'s (after `remember` or `same`). */
  rememberRaw(src: Uint8Array, s: number, e: number, mode: string): void {
    const len = e - s;
    if (this.raw.length < len) this.raw = new Uint8Array(len * 2);
    const b = this.raw;
    for (let i = 0; i < len; i++) b[i] = src[s + i]!;
    this.rawLen = len;
    this.rawMode = mode;
  }

  /** `h`: the key's hash, compared first (values/key-hash.ts). */
  same(key: Uint8Array, len: number, h: number): boolean {
    return len === this.len && h === this.hash && sameBytes(this.buf, 0, key, 0, len);
  }

  remember(key: Uint8Array, len: number, h: number, slot: number): void {
    if (this.buf.length < len) this.buf = new Uint8Array(len * 2);
    this.buf.set(key.subarray(0, len));
    this.len = len;
    this.hash = h;
    this.slot = slot;
  }
}

export class Aggregates {
  private keys = new KeyTable();
  private readonly recent = new RecentKey();
  private readonly span: Span = { start: 0, end: 0 };
  private readonly scratch: KeyScratch = { buf: new Uint8Array(256), hash: 0 };
  size = 0;
  private cap = 0;
  /** Per slot × counter: events counted. */
  counts: Uint32Array = new Uint32Array(0);
  /** Per slot × counter: the latest dated event counted, NaN when none. */
  last: Float64Array = new Float64Array(0);
  /** Per slot × counter: the signal index of that latest event. */
  lastSignal: Int32Array = new Int32Array(0);
  /**
   * Per slot: engagement score, decayed to as-of — a running sum and what its roundings lost (Neumaier), read
   * together by `scoreOf`. The pair makes the score the sum of its events rounded once, whatever order they were
   * added in (barring an exact sum within ~10⁻³⁰ of a rounding boundary), so ranges folded on several threads and
   * merged give one thread's score; and 0.1 + 0.2 points reach a 0.3 threshold.
   */
  score: Float64Array = new Float64Array(0);
  scoreError: Float64Array = new Float64Array(0);
  /** Per slot: activity rows seen for the key, whatever their signal. */
  rows: Uint32Array = new Uint32Array(0);
  /** Per slot: 1 once a contact row has claimed the key. */
  matched: Uint8Array = new Uint8Array(0);
  /** Per slot: contact rows with the key (the first pass counts them, so every duplicate is flagged). */
  contactRows: Uint32Array = new Uint32Array(0);

  /** Every event's compact record, kept when the run replays the log (stage dates, history). */
  readonly events?: EventLog;

  /** `scores`: engagement scores per slot, one per rule set folded (two for `whatif`). */
  constructor(
    readonly counters: number,
    keepEvents = false,
    readonly scores = 1,
  ) {
    if (keepEvents) this.events = new EventLog();
  }

  /** The slot of a normalised key, -1 when it has none. */
  find(key: string): number {
    const b = Buffer.from(key, 'utf8');
    return this.keys.find(b, b.length);
  }

  /** The slot of a normalised key, taken when the key is new. */
  slot(key: string): number {
    const b = Buffer.from(key, 'utf8');
    return this.take(b, b.length);
  }

  /** The slot of the key `key[at, at + len)`, taken when new; `h`: its hash, when the caller has it. */
  private take(key: Uint8Array, len: number, at = 0, h?: number): number {
    const s = this.keys.intern(key, len, at, h);
    if (s === this.size) {
      this.size++;
      if (s >= this.cap) this.grow();
      this.last.fill(NaN, s * this.counters, (s + 1) * this.counters);
    }
    return s;
  }

  /**
   * The slot of the key in field `col` of a record, normalised by `mode` (taken when new and `add`): from the
   * record's bytes when it has them, else from its text. BLANK_KEY for a blank key, -1 for an unknown one.
   */
  slotOf(rec: Rec, col: number, mode: 'email' | 'exact', add: boolean): number {
    const bytes = rec.fieldBytes(col, this.span);
    if (bytes) {
      const { start, end } = this.span;
      const recent = this.recent;
      if (recent.sameRaw(bytes, start, end, mode)) return recent.slot;
      const n = normalizeKeyBytes(bytes, start, end, mode, this.scratch);
      if (n === BLANK_KEY) return BLANK_KEY;
      if (n >= 0) {
        const key = this.scratch.buf;
        const h = this.scratch.hash!;
        if (recent.same(key, n, h)) {
          recent.rememberRaw(bytes, start, end, mode);
          return recent.slot;
        }
        const slot = add ? this.take(key, n, 0, h) : this.keys.find(key, n, 0, h);
        // An unknown key is not remembered: a later `add` of it takes a slot.
        if (slot >= 0) {
          recent.remember(key, n, h, slot);
          recent.rememberRaw(bytes, start, end, mode);
        }
        return slot;
      }
    }
    const key = normalizeKey(rec.field(col), mode);
    if (key.trim() === '') return BLANK_KEY;
    return add ? this.slot(key) : this.find(key);
  }

  /**
   * The slot of a contact row's key when `hint` (the slot the first pass found for the row) holds its bytes as
   * they stand — most keys are written as normalised — without a lookup; else slotOf's, without taking one.
   */
  hintedSlot(rec: Rec, col: number, mode: 'email' | 'exact', hint: number): number {
    if (hint >= 0 && hint < this.size) {
      const bytes = rec.fieldBytes(col, this.span);
      if (bytes && this.keys.equals(hint, bytes, this.span.end - this.span.start, this.span.start)) return hint;
    }
    return this.slotOf(rec, col, mode, false);
  }

  private grow(): void {
    this.reallocate(Math.max(1024, this.cap * 2), (bytes) => new ArrayBuffer(bytes));
  }

  /** Every per-slot array moved into new memory for `cap` slots, made by `memory`; the values kept. */
  private reallocate(cap: number, memory: (bytes: number) => ArrayBufferLike): void {
    const move = <T extends Uint32Array | Float64Array | Int32Array | Uint8Array>(a: T, n: number, make: (b: ArrayBufferLike) => T): T => {
      const b = make(memory(Math.max(1, n) * a.BYTES_PER_ELEMENT));
      b.set(a.subarray(0, Math.min(a.length, n)));
      return b;
    };
    const c = this.counters;
    this.counts = move(this.counts, cap * c, (b) => new Uint32Array(b));
    this.last = move(this.last, cap * c, (b) => new Float64Array(b));
    this.lastSignal = move(this.lastSignal, cap * c, (b) => new Int32Array(b));
    this.score = move(this.score, cap * this.scores, (b) => new Float64Array(b));
    this.scoreError = move(this.scoreError, cap * this.scores, (b) => new Float64Array(b));
    this.rows = move(this.rows, cap, (b) => new Uint32Array(b));
    this.matched = move(this.matched, cap, (b) => new Uint8Array(b));
    this.contactRows = move(this.contactRows, cap, (b) => new Uint32Array(b));
    this.cap = cap;
  }

  /**
   * The aggregates moved into shared memory, once the fold and the contact scan are done: these arrays are the
   * ones this instance uses from now on (a copy made once; the old ones are freed), so what other threads write
   * to `matched` is seen here. No slot may be taken after this.
   */
  share(): SharedAggregates {
    this.reallocate(this.size, (bytes) => new SharedArrayBuffer(bytes));
    const { counters, scores, size, counts, last, lastSignal, score, scoreError, rows, matched, contactRows } = this;
    return { counters, scores, size, keys: this.keys.share(), counts, last, lastSignal, score, scoreError, rows, matched, contactRows };
  }

  /** Aggregates over the shared ones of another thread: slots are found, never taken. */
  static attach(s: SharedAggregates): Aggregates {
    const a = new Aggregates(s.counters, false, s.scores);
    a.keys = KeyTable.attach(s.keys);
    a.size = s.size;
    a.cap = s.size;
    a.counts = s.counts;
    a.last = s.last;
    a.lastSignal = s.lastSignal;
    a.score = s.score;
    a.scoreError = s.scoreError;
    a.rows = s.rows;
    a.matched = s.matched;
    a.contactRows = s.contactRows;
    return a;
  }

  /** The activity numbers, for `merge` on another thread (the arrays are views: copy or transfer them). */
  data(): AggregateData {
    const n = this.size;
    const c = this.counters;
    const { arena, starts } = this.keys.keyBytes();
    return {
      size: n,
      arena,
      starts,
      counts: this.counts.subarray(0, n * c),
      last: this.last.subarray(0, n * c),
      lastSignal: this.lastSignal.subarray(0, n * c),
      score: this.score.subarray(0, n * this.scores),
      scoreError: this.scoreError.subarray(0, n * this.scores),
      rows: this.rows.subarray(0, n),
      ...(this.events ? { events: this.events.data() } : {}),
    };
  }

  /**
   * Adds the activities of a later range of the file, as if its rows had been folded here after these: keys
   * taken in the range's first-seen order; counts, rows and scores added (the scores with what each addition
   * loses kept, see `score`); the latest event replaced only by a strictly later one, as the fold does.
   */
  merge(d: AggregateData): void {
    const c = this.counters;
    const slotOf = new Int32Array(d.size);
    for (let s = 0; s < d.size; s++) {
      const from = d.starts[s]!;
      const g = this.take(d.arena, d.starts[s + 1]! - from, from);
      slotOf[s] = g;
      const gb = g * c;
      const sb = s * c;
      for (let k = 0; k < c; k++) {
        this.counts[gb + k]! += d.counts[sb + k]!;
        const t = d.last[sb + k]!;
        if (!Number.isNaN(t) && !(t <= this.last[gb + k]!)) {
          this.last[gb + k] = t;
          this.lastSignal[gb + k] = d.lastSignal[sb + k]!;
        }
      }
      for (let k = 0; k < this.scores; k++) {
        this.addScore(g, d.score[s * this.scores + k]!, k);
        this.scoreError[g * this.scores + k]! += d.scoreError[s * this.scores + k]!;
      }
      this.rows[g]! += d.rows[s]!;
    }
    if (d.events) this.events?.append(d.events, slotOf);
  }

  addScore(slot: number, c: number, score = 0): void {
    const i = slot * this.scores + score;
    const s = this.score[i]!;
    const t = s + c;
    this.scoreError[i]! += Math.abs(s) >= Math.abs(c) ? s - t + c : c - t + s;
    this.score[i] = t;
  }

  /** The engagement score of a slot (0 for none); `score` picks the rule set's when several are folded. */
  scoreOf(slot: number, score = 0): number {
    const i = slot * this.scores + score;
    return slot < 0 ? 0 : this.score[i]! + this.scoreError[i]!;
  }

  /** Activity rows of keys no contact claimed. */
  /** The normalised key of a slot, as text (for messages). */
  keyText(slot: number): string {
    const { arena, starts } = this.keys.keyBytes();
    return Buffer.from(arena.subarray(starts[slot]!, starts[slot + 1]!)).toString('utf8');
  }

  unmatchedRows(): number {
    let n = 0;
    for (let s = 0; s < this.size; s++) if (!this.matched[s]) n += this.rows[s]!;
    return n;
  }
}
