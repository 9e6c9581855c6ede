/**
 * Join keys interned by their normalised UTF-8 bytes: an open-addressing hash table over a byte arena. A key read
 * from a CSV record is looked up straight from the record's bytes — no string is made for it — and a million
 * keys take tens of megabytes (a Map of strings takes several times that, and the collector walks all of it).
 */

import { hashBytes, sameBytes } from '../values/key-hash.js';

function grow32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** A key table's arrays, in memory that threads share: a reader on another thread finds keys without a copy. */
export interface KeyTableParts {
  size: number;
  arena: Uint8Array;
  starts: Int32Array;
  table: Int32Array;
}

function sharedCopy<T extends Uint8Array | Int32Array>(a: T, n: number, make: (b: SharedArrayBuffer) => T): T {
  const b = make(new SharedArrayBuffer(Math.max(1, n) * a.BYTES_PER_ELEMENT));
  b.set(a.subarray(0, n));
  return b;
}

export class KeyTable {
  size = 0;
  private arena: Uint8Array = new Uint8Array(1 << 16);
  private arenaLength = 0;
  /** Per slot: where its key starts in the arena (and, at slot + 1, where it ends). */
  private starts: Int32Array = new Int32Array(1025);
  /**
   * Open addressing, two numbers a place: slot + 1 (0 for an empty place) and the key's hash. The hash beside the
   * slot spares a probe a second cache miss: at a million keys that is a fifth of a lookup.
   */
  private table: Int32Array = new Int32Array(2 * 2048);
  /** Places − 1 (a power of two less one). */
  private mask = 2047;

  /** The place of the key in `table`: holding its slot + 1, or 0 where it would go. */
  private probe(key: Uint8Array, len: number, at: number, h: number): number {
    const table = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const t = table[2 * i]!;
      if (t === 0 || (table[2 * i + 1] === h && this.equals(t - 1, key, len, at))) return i;
    }
  }

  /** The slot of the key `key[at, at + len)`, -1 when it has none; `h` its hash when the caller has it. */
  find(key: Uint8Array, len: number, at = 0, h = hashBytes(key, len, at)): number {
    return this.table[2 * this.probe(key, len, at, h)]! - 1;
  }

  /** The slot of the key `key[at, at + len)`, taking the next one when the key is new. */
  intern(key: Uint8Array, len: number, at = 0, h = hashBytes(key, len, at)): number {
    const i = 2 * this.probe(key, len, at, h);
    if (this.table[i] !== 0) return this.table[i]! - 1;
    const slot = this.size++;
    if (slot + 2 > this.starts.length) this.starts = grow32(this.starts, this.starts.length * 2);
    if (this.arenaLength + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLength + len));
      a.set(this.arena.subarray(0, this.arenaLength));
      this.arena = a;
    }
    this.arena.set(key.subarray(at, at + len), this.arenaLength);
    this.arenaLength += len;
    this.starts[slot + 1] = this.arenaLength;
    this.table[i] = slot + 1;
    this.table[i + 1] = h;
    // Kept at most half full, so that probes stay short.
    if (this.size * 2 > this.mask + 1) this.rehash();
    return slot;
  }

  /**
   * The table moved into shared memory (once its keys are all in): what `attach` takes on another thread. Keys
   * taken after this still work, in memory of this thread's own.
   */
  share(): KeyTableParts {
    this.arena = sharedCopy(this.arena, this.arenaLength, (b) => new Uint8Array(b));
    this.starts = sharedCopy(this.starts, this.size + 1, (b) => new Int32Array(b));
    this.table = sharedCopy(this.table, this.table.length, (b) => new Int32Array(b));
    return { size: this.size, arena: this.arena, starts: this.starts, table: this.table };
  }

  /** A table over the shared parts of another thread's, to find keys in (`intern` is not for it). */
  static attach(p: KeyTableParts): KeyTable {
    const t = new KeyTable();
    t.size = p.size;
    t.arena = p.arena;
    t.arenaLength = p.starts[p.size]!;
    t.starts = p.starts;
    t.table = p.table;
    t.mask = p.table.length / 2 - 1;
    return t;
  }

  /** The keys in slot order, as one arena and the offsets of each key in it (`size + 1` of them). */
  keyBytes(): { arena: Uint8Array; starts: Int32Array } {
    return { arena: this.arena.subarray(0, this.arenaLength), starts: this.starts.subarray(0, this.size + 1) };
  }

  /** Whether slot `slot` holds the key `key[at, at + len)`. */
  equals(slot: number, key: Uint8Array, len: number, at: number): boolean {
    const s = this.starts[slot]!;
    if (this.starts[slot + 1]! - s !== len) return false;
    return sameBytes(this.arena, s, key, at, len);
  }

  /** Twice the places, every slot and hash moved to where its hash now leads. */
  private rehash(): void {
    const old = this.table;
    const places = (this.mask + 1) * 2;
    const table = new Int32Array(2 * places);
    const mask = places - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j] === 0) continue;
      let i = old[j + 1]! & mask;
      while (table[2 * i] !== 0) i = (i + 1) & mask;
      table[2 * i] = old[j]!;
      table[2 * i + 1] = old[j + 1]!;
    }
    this.table = table;
    this.mask = mask;
  }
}
