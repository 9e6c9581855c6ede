/**
 * The text of a column's fields, decoded once per distinct value: an export repeats a few values of most columns
 * the rules read (industries, countries, sizes, opt-in answers), and comparing a field's few bytes with the ones
 * seen costs less than a call into the UTF-8 decoder. The same value then gives the same string, which the
 * per-value verdicts (classify/fields.ts) find at once.
 */
import type { Rec, Span } from './record.js';

/**
 * Places per column (a power of two); the longest field remembered, in bytes (values that repeat are short: a
 * country, a size, an answer; a longer one is seldom seen twice); the trial, as classify/fields.ts byValue's.
 */
const PLACES = 256;
const MAX_BYTES = 48;
const TRIAL = 4096;

class ColumnTexts {
  private readonly bytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(PLACES);
  private readonly texts: string[] = new Array<string>(PLACES);
  private lookups = 0;
  private hits = 0;
  /** Off once a trial has shown that the column's values seldom repeat (a quarter of the lookups or fewer). */
  on = true;

  /** The text of field `col`, whose bytes are `src[s, e)`: the one remembered for those bytes, or decoded. */
  text(rec: Rec, col: number, src: Uint8Array, s: number, e: number): string {
    const n = e - s;
    if (n === 0) return '';
    if (n > MAX_BYTES) return rec.field(col);
    if (++this.lookups === TRIAL) this.on = this.hits * 4 > this.lookups;
    const at = (n * 31 + src[s]! * 7 + src[e - 1]! * 3 + src[s + (n >> 1)]!) & (PLACES - 1);
    const known = this.bytes[at];
    if (known !== undefined && known.length === n) {
      let i = 0;
      while (i < n && known[i] === src[s + i]) i++;
      if (i === n) {
        this.hits++;
        return this.texts[at]!;
      }
    }
    const text = rec.field(col);
    this.bytes[at] = src.slice(s, e);
    this.texts[at] = text;
    return text;
  }
}

/** Fields' texts, per column asked for: `field(rec, col)` is `rec.field(col)`, decoded less often. */
export class FieldTexts {
  private readonly columns: ColumnTexts[] = [];
  private readonly span: Span = { start: 0, end: 0 };

  field(rec: Rec, col: number): string {
    let c = this.columns[col];
    if (c === undefined) this.columns[col] = c = new ColumnTexts();
    if (!c.on) return rec.field(col);
    // A field holding doubled quotes has no bytes of its text as they stand.
    const src = rec.fieldBytes(col, this.span);
    return src === undefined ? rec.field(col) : c.text(rec, col, src, this.span.start, this.span.end);
  }
}
