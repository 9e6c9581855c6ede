/** What `funnel whatif` finds: the same contacts classified under two rule sets, compared. */

export interface StageChange {
  id: string;
  before: number;
  after: number;
  change: number;
}

export interface WhatifResult {
  before: { rules: string; sha256: string };
  after: { rules: string; sha256: string };
  as_of: string;
  /** Contact rows classified (each row of a duplicate key counts). */
  contacts: number;
  /** Stage ids in funnel order: before's, after's stages that before lacks where after puts them, `disqualified`. */
  stages: StageChange[];
  /** matrix[before][after] = contacts, every pair of a before stage and an after stage (zeros included). */
  matrix: Record<string, Record<string, number>>;
  changed: number;
  unchanged: number;
  /** Contacts whose contactability changes: who gains it, who loses it. */
  contactable: { gained: number; lost: number };
  /** Contacts whose action changes, and the changes by pair, most frequent first. */
  action_changed: number;
  actions: { before: string; after: string; contacts: number }[];
  moved_file?: string;
}
