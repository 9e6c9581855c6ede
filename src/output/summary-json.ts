/** The summary as JSON, for monitoring: apart from the table (summary-render.ts), which loads cli-table3. */
import type { Summary } from './summary.js';

export function renderSummaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
