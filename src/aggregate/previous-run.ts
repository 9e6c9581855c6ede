/**
 * An earlier run's annotated file, per key: its stage and since when (the first row of each key), the floor a
 * stage of the rules sets for `--previous` (no regression), and the rows it did not keep — for `classify
 * --previous` and `funnel diff` alike.
 */
import { tableRows, type Table } from '../input/table.js';
import { normalizeKey } from '../values/keys.js';

export interface PreviousRow {
  stage: string;
  since: string;
  /** The stage's index in the rules' funnel (its floor when stages may not regress); -1 when none or unknown. */
  index: number;
}

export interface PreviousColumns {
  key: number;
  stage: number;
  /** -1 when the file has no stage_since column. */
  since: number;
}

export interface PreviousReading {
  normalize: 'email' | 'exact';
  /** The rules' stage indexes, for each row's floor. */
  stageIndex?: ReadonlyMap<string, number>;
  /** Rows whose stage this says no to are not kept; a later row of their key may be. */
  accept?: (stage: string) => boolean;
}

export class PreviousRun {
  /** Every row read. */
  rows = 0;
  /** Rows without a key; rows whose key an earlier row kept. */
  emptyKeys = 0;
  duplicates = 0;
  private readonly byKey = new Map<string, PreviousRow>();

  constructor(readonly file: string) {}

  /** The previous row of a normalised key. */
  get(key: string): PreviousRow | undefined {
    return this.byKey.get(key);
  }

  /** Keys kept (with a stage accepted). */
  get size(): number {
    return this.byKey.size;
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  add(key: string, row: PreviousRow): void {
    this.byKey.set(key, row);
  }
}

/** Reads an annotated table whose key, stage and since columns are `cols`. */
export async function readPreviousRun(table: Table, cols: PreviousColumns, how: PreviousReading): Promise<PreviousRun> {
  const run = new PreviousRun(table.file);
  for await (const row of tableRows(table)) {
    run.rows++;
    const k = normalizeKey(row.values[cols.key] ?? '', how.normalize);
    if (k.trim() === '') run.emptyKeys++;
    else if (run.get(k) !== undefined) run.duplicates++;
    else {
      const stage = (row.values[cols.stage] ?? '').trim();
      if (how.accept && !how.accept(stage)) continue;
      const since = cols.since === -1 ? '' : (row.values[cols.since] ?? '').trim();
      run.add(k, { stage, since, index: how.stageIndex?.get(stage) ?? -1 });
    }
  }
  return run;
}

/** Today's keyed contacts found in the previous file, or not. */
export class PreviousCoverage {
  private keyed = 0;
  private missing = 0;

  see(found: boolean): void {
    this.keyed++;
    if (!found) this.missing++;
  }

  /** A warning when more than a quarter of today's keys (and at least 5) are not in the previous file. */
  warning(prev: PreviousRun): string | undefined {
    if (this.missing < 5 || this.missing * 4 <= this.keyed) return undefined;
    return `${prev.file}: the previous run holds ${this.keyed - this.missing} of today's ${this.keyed} keyed contacts (${this.missing} missing, ${prev.size} previous keys with a known stage) — is it a truncated copy, or another export?`;
  }
}
