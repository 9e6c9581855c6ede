/**
 * The JSON `funnel history --format json` writes, as the report reads it (the contract between the
 * history command and the report: fields may be added, none renamed or removed).
 */
export interface HistoryRow {
  period: string;
  stage: string;
  balance: number;
  entered: number;
  overdue?: number;
}

export interface Cohort {
  period: string;
  entered: number;
  reached: number;
  share: number | null;
}

export interface HistoryConversion {
  from: string;
  to: string;
  cohorts: Cohort[];
}

export interface Velocity {
  from: string;
  to: string;
  contacts: number;
  median_days: number | null;
  p90_days: number | null;
}

export interface HistorySegment {
  segment: string;
  contacts: number;
  rows: HistoryRow[];
  conversion: HistoryConversion[];
  velocity: Velocity[];
}

export interface History {
  kind: 'history';
  as_of: string;
  every: string;
  since?: string;
  timezone?: string;
  rules?: { source: string; sha256?: string };
  periods: { id: string; start?: string; end?: string }[];
  stages: { id: string; label: string; sla_days?: number | null }[];
  rows: HistoryRow[];
  conversion: HistoryConversion[];
  velocity: Velocity[];
  contacts: number;
  undated_events?: number;
  by?: string;
  segments?: HistorySegment[];
}
