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
