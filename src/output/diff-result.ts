/** What `funnel diff` finds between two annotated files: the movement matrix and the counts around it. */

export interface DiffResult {
  before: { file: string; rows: number };
  after: { file: string; rows: number };
  /** Stage ids in the order of the matrix: the rules' order, then others as met. */
  stages: string[];
  /** matrix[from][to] = contacts; only pairs that occur. */
  matrix: Record<string, Record<string, number>>;
  changed: number;
  unchanged: number;
  added: number;
  removed: number;
  /**
   * Rows whose key an earlier row of the same file already had (and rows without a key): not matched, not
   * counted as added or removed — counted here, each file apart, and said on stderr.
   */
  duplicate_key_rows: { before: number; after: number };
  empty_key_rows: { before: number; after: number };
  moved_file?: string;
}

/** The movement matrix between two runs, built one key at a time; stages in the order met. */
export class StageMovements {
  readonly stages: string[] = [];
  readonly matrix: Record<string, Record<string, number>> = {};
  changed = 0;
  unchanged = 0;

  see(stage: string): void {
    if (!this.stages.includes(stage)) this.stages.push(stage);
  }

  /** A key found in both runs, at stage `was` before and `now` after: true when it moved. */
  move(was: string, now: string): boolean {
    this.see(was);
    (this.matrix[was] ??= {})[now] = (this.matrix[was]![now] ?? 0) + 1;
    if (was === now) this.unchanged++;
    else this.changed++;
    return was !== now;
  }

  /** The stages in `order` (the rules' funnel), those it lacks after them in the order met. */
  ordered(order: readonly string[] | undefined): string[] {
    if (!order) return this.stages;
    const rank = (id: string): number => {
      const i = order.indexOf(id);
      return i === -1 ? order.length + this.stages.indexOf(id) : i;
    };
    return [...this.stages].sort((x, y) => rank(x) - rank(y));
  }
}
