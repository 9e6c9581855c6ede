/**
 * Contact keys that differ only in case while they are not email addresses: with `normalize: email` (the default)
 * Salesforce ids such as `0031G00000q9jPQAQ` and `0031G00000q9jpqaq` become one key and get `duplicate key`.
 * Only the rows of keys already known to repeat are looked at, so unique keys cost nothing.
 */
import { looksLikeEmail } from './columns.js';

export class CaseOnlyKeys {
  private readonly first = new Map<number, string>();
  private readonly flagged = new Set<number>();
  private example?: [string, string];

  /** A row of a repeated key (its slot) and its key as written. */
  see(slot: number, raw: string): void {
    const v = raw.trim();
    const seen = this.first.get(slot);
    if (seen === undefined) {
      this.first.set(slot, v);
      return;
    }
    if (seen === v || this.flagged.has(slot) || looksLikeEmail(v)) return;
    this.flagged.add(slot);
    this.example ??= [seen, v];
  }

  /** Rows another thread saw, in their order, after the ones seen here. */
  seeAll(sightings: readonly (readonly [number, string])[]): void {
    for (const [slot, raw] of sightings) this.see(slot, raw);
  }

  /** The warning, when any key differed only in case. */
  warning(files: string): string | undefined {
    if (!this.example) return undefined;
    const [a, b] = this.example;
    return `${files}: ${this.flagged.size} key(s) that are not email addresses differ only in case (e.g. '${a}' and '${b}') and are read as one contact (duplicate key) — set contacts.normalize: exact if case matters`;
  }
}

/** The rows of repeated keys a thread classifying a range sees, kept in order for the main thread's `seeAll`. */
export class CaseKeySightings extends CaseOnlyKeys {
  readonly seen: [number, string][] = [];

  override see(slot: number, raw: string): void {
    this.seen.push([slot, raw]);
  }
}
