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

// Conversion and velocity are read exactly as the history command writes them.
export type { Conversion as HistoryConversion, Velocity } from '../history.js';
import type { Conversion as HistoryConversion, Velocity } from '../history.js';

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
