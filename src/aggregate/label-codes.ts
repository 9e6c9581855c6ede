/**
 * The fold's signal for each activity-type label, looked up by the label's raw bytes: a file names a handful of
 * labels a million times, so the common row makes no string for its label. A label seen for the first time is
 * read from its text, as the rules map it, and remembered for its bytes. Both memories are bounded, so that a
 * file of a million distinct labels costs time, never memory.
 */
import type { Rec, Span } from '../input/record.js';
import { detach } from '../values/keys.js';
import { KeyTable } from './key-table.js';

/** The code of a blank label: no signal, and a row without an activity type. */
export const BLANK_LABEL = -2;
/** Labels remembered at most (each memory starts again when full). */
const MAX_LABELS = 4096;
/** Longer labels are read from their text every time. */
const MAX_LABEL_BYTES = 256;
/** Places of `guess` (a power of two). */
const GUESSES = 1024;

export class LabelCodes {
  private table = new KeyTable();
  private codes = new Int32Array(MAX_LABELS);
  private texts = new Map<string, number>();
  /**
   * A guess before the table: per mix of a label's length and three of its bytes, the slot last found for it —
   * one comparison where the table hashes every byte, probes, then compares (a file names a handful of labels).
   */
  private readonly guess = new Int32Array(GUESSES).fill(-1);
  private readonly span: Span = { start: 0, end: 0 };

  /** `codeOf`: the fold entry of a non-blank label's text, -1 when no rule reads it. */
  constructor(private readonly codeOf: (label: string) => number) {}

  /** The code of field `col`'s label: its fold entry, -1 for a signal no rule reads, BLANK_LABEL when blank. */
  code(rec: Rec, col: number): number {
    const b = rec.fieldBytes(col, this.span);
    if (b === undefined) return this.ofText(rec.field(col));
    const { start, end } = this.span;
    const len = end - start;
    const g = len === 0 ? 0 : (Math.imul(len ^ (b[start]! << 8) ^ (b[end - 1]! << 16) ^ (b[start + (len >> 1)]! << 24), 0x9e3779b1) >>> 22) & (GUESSES - 1);
    const guessed = this.guess[g]!;
    if (guessed >= 0 && this.table.equals(guessed, b, len, start)) return this.codes[guessed]!;
    const slot = this.table.find(b, len, start);
    if (slot >= 0) {
      this.guess[g] = slot;
      return this.codes[slot]!;
    }
    const code = this.ofText(rec.field(col));
    if (len <= MAX_LABEL_BYTES) {
      if (this.table.size >= MAX_LABELS) {
        this.table = new KeyTable();
        this.guess.fill(-1);
      }
      const added = this.table.intern(b, len, start);
      this.codes[added] = code;
      this.guess[g] = added;
    }
    return code;
  }

  /** The code of a label's text (for fields with doubled quotes, whose bytes are not their text). */
  private ofText(label: string): number {
    const known = this.texts.get(label);
    if (known !== undefined) return known;
    const code = label.trim() === '' ? BLANK_LABEL : this.codeOf(label);
    if (label.length <= MAX_LABEL_BYTES) {
      if (this.texts.size >= MAX_LABELS) this.texts = new Map();
      this.texts.set(detach(label), code);
    }
    return code;
  }
}
