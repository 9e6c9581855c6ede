/**
 * Segments for `--by <field>` (SPEC §10): one bucket per value of a field, the largest `limit` kept by
 * name, the rest folded into `(other)`, empty values as `(none)`. Shared by classify's summary, `summary`
 * and `history`, so every breakdown names its segments the same way.
 *
 * Values are grouped trimmed and case-folded (`Website` and `website ` are one source) and shown with the
 * spelling seen first. `(none)` is never folded into `(other)` and does not take one of the `limit` places.
 */
import { norm } from '../util/text.js';

export const NONE_SEGMENT = '(none)';
export const OTHER_SEGMENT = '(other)';
export const SEGMENT_LIMIT = 20;

export class SegmentBuckets<T> {
  private readonly buckets = new Map<string, { label: string; size: number; data: T }>();

  constructor(private readonly make: () => T) {}

  /** The bucket of a raw field value, created on first sight; `size` counts the contacts put in it. */
  bucket(raw: string | undefined): T {
    const key = raw === undefined ? '' : norm(raw);
    let b = this.buckets.get(key);
    if (!b) {
      b = { label: key === '' ? NONE_SEGMENT : raw!.trim(), size: 0, data: this.make() };
      this.buckets.set(key, b);
    }
    b.size++;
    return b.data;
  }

  /** The buckets in the order first seen, as data (a thread's, for `adopt`). */
  entries(): { key: string; label: string; size: number; data: T }[] {
    return [...this.buckets].map(([key, b]) => ({ key, label: b.label, size: b.size, data: b.data }));
  }

  /**
   * Another's buckets (a thread's range of rows, after this one's): sizes added, data merged; a key first seen
   * there keeps the spelling it was seen with, as one thread reading the rows in order would.
   */
  adopt(entries: readonly { key: string; label: string; size: number; data: T }[], merge: (into: T, from: T) => void): void {
    for (const e of entries) {
      let b = this.buckets.get(e.key);
      if (!b) {
        b = { label: e.label, size: 0, data: this.make() };
        this.buckets.set(e.key, b);
      }
      b.size += e.size;
      merge(b.data, e.data);
    }
  }

  /**
   * The segments, largest first (ties by label), with everything past `limit` merged into `(other)`
   * (placed after the named ones) and `(none)` last.
   */
  collapse(merge: (into: T, from: T) => void, limit = SEGMENT_LIMIT): { segment: string; size: number; data: T }[] {
    let none: { segment: string; size: number; data: T } | undefined;
    const named: { segment: string; size: number; data: T }[] = [];
    for (const [key, b] of this.buckets) {
      const s = { segment: b.label, size: b.size, data: b.data };
      if (key === '') none = s;
      else named.push(s);
    }
    named.sort((a, b) => b.size - a.size || (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
    const out = named.slice(0, limit);
    if (named.length > limit) {
      const other = { segment: OTHER_SEGMENT, size: 0, data: this.make() };
      for (const s of named.slice(limit)) {
        other.size += s.size;
        merge(other.data, s.data);
      }
      out.push(other);
    }
    if (none) out.push(none);
    return out;
  }
}
