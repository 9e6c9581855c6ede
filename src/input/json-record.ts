/** What the JSON reader (json.ts) hands on: records flattened to [path, text value] pairs, to a sink. */

/** The path of a flattened key: its segments joined by NUL (a flat key `a.b` and nested `a` → `b` differ). */
export type PathKey = string;

/** A record as [path, value] pairs, in the order of the source. */
export type FlatRecord = [PathKey, string][];

export const SEP = '\u0000';

/** Nesting deeper than this is refused: no export needs it, and each level costs a frame. */
export const MAX_DEPTH = 1000;

export type JsonShape = 'json' | 'ndjson';

export interface RecordSink {
  /**
   * A record: its fields, the line of its `{`, and for a JSON object holding arrays, the member it is in ('' for a
   * top-level array and NDJSON).
   */
  record(fields: FlatRecord, line: number, member: string): void;
  /** An element of a member array that is not an object: that member holds no records. */
  notRecord?(member: string): void;
}
