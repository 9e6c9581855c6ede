/** What `funnel explain` finds about one contact: what the renderers of output/ show and `--format json` prints. */
import type { Explanation } from './classifier.js';
import type { ExplainedDates } from './explain-dates.js';

export interface SignalLine {
  signal: string;
  labels: string[];
  events: number;
  undated: number;
  last: string | null;
  /** The day of `last` in the rules' activities.timezone, as the text output shows it. */
  last_day: string | null;
  points: number;
  used: boolean;
}

export interface ExplainResult {
  key: string;
  as_of: string;
  rules: string;
  half_life: string | null;
  /** Where the contact's rows are; more than one is a duplicate key. */
  rows: { file: string; line: number }[];
  signals: SignalLine[];
  score: number;
  explanation: Explanation;
  /** The replay: when the contact reached each stage and the event that made it (SPEC §7). */
  stage_dates: ExplainedDates;
}
