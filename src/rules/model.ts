/**
 * The rules after loading and validation: plain data, every duration and date already in milliseconds,
 * every node carrying where it stands in the YAML source for messages.
 */

export interface Pos {
  line: number;
  col: number;
}

export type Scalar = string | number | boolean;

export type NumOp = 'gt' | 'gte' | 'lt' | 'lte' | 'equals' | 'not_equals';
export interface NumCmp {
  op: NumOp;
  value: number;
}

/** A field operator. Comparison values that are dates are parsed once, at load. */
export type FieldOp =
  | { op: 'equals' | 'not_equals' | 'contains'; value: Scalar }
  | { op: 'in' | 'not_in' | 'domain_in'; values: Scalar[] }
  | { op: 'matches'; regex: RegExp; source: string }
  | { op: 'present'; value: boolean }
  | { op: 'gt' | 'gte' | 'lt' | 'lte'; value: number; date?: string }
  | { op: 'before' | 'after'; value: number; date: string }
  | { op: 'within'; ms: number; text: string };

export type Cond =
  | { kind: 'all' | 'any'; items: Cond[]; pos: Pos }
  | { kind: 'not'; item: Cond; pos: Pos }
  | { kind: 'field'; field: string; ops: FieldOp[]; pos: Pos }
  | {
      kind: 'activity';
      signals: string[];
      within?: { ms: number; text: string };
      since?: { ms: number; text: string };
      count: { gte?: number; lte?: number };
      pos: Pos;
    }
  | { kind: 'score' | 'fit'; cmps: NumCmp[]; pos: Pos }
  | { kind: 'persona' | 'consent'; value: boolean; pos: Pos }
  | { kind: 'stage'; id: string; pos: Pos };

export interface FitRule {
  when: Cond;
  points: number;
}

export interface Disqualifier {
  id: string;
  when: Cond;
  /** As written, else `exclude` (the loader fills it). */
  action: string;
  /** As written, else `none` (the loader fills it). */
  content: string;
}

/** How long a contact may stay at a stage before it is overdue, and what to do then (SPEC §7). */
export interface Sla {
  withinMs: number;
  /** The duration as written, e.g. `14d`. */
  within: string;
  action: string;
}

export interface Stage {
  id: string;
  label: string;
  content: string;
  action: string;
  needsConsent: boolean;
  when?: Cond;
  sla?: Sla;
  pos: Pos;
}

export interface Rules {
  /** The file the rules came from, or `built-in`. */
  source: string;
  /** `created`: a date column from which the contact's fields hold in the replay (SPEC §7). */
  contacts: { key?: string; normalize: 'email' | 'exact'; created?: string };
  activities: {
    key?: string;
    type?: string;
    time?: string;
    dateOrder: 'auto' | 'dmy' | 'mdy';
    timezone: string;
    /** Raw label, case folded → signal. */
    types: Map<string, string>;
  };
  /** Friendly name → contact column. */
  fields: Map<string, string>;
  scoring: {
    halfLifeMs?: number;
    points: Map<string, number>;
    fit: FitRule[];
  };
  persona?: Cond;
  consent?: { when: Cond; action: string };
  disqualify: Disqualifier[];
  stages: Stage[];
  allowRegression: boolean;
  /** Where some values stand in the source, by path (`contacts.key`, `fields.industry`), for `validate`. */
  positions: Map<string, Pos>;
}

export const DEFAULT_CONSENT_ACTION = 'do not email — no consent';
export const DEFAULT_DISQUALIFY_ACTION = 'exclude';
export const DEFAULT_DISQUALIFY_CONTENT = 'none';

/** The stage of a disqualified contact, written by the classifier and the SQL compiler; no stage may be named so. */
export const DISQUALIFIED = 'disqualified';

/** The column a condition's field reads: the one its friendly name (`fields`) stands for, else the name itself. */
export function fieldColumn(rules: Pick<Rules, 'fields'>, field: string): string {
  return rules.fields.get(field) ?? field;
}
