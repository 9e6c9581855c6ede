/** The report's renderer (and ECharts) is loaded only by the runs that write one. */
import type { ReportInput } from '../output/report/inputs.js';

export async function reportOf(inputs: ReportInput[], title?: string): Promise<string> {
  const { reportHtml } = await import('../commands/report.js');
  return reportHtml(inputs, title);
}
