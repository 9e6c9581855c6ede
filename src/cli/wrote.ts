/** The one line that says what a classify run wrote: `wrote funnel-out/: contacts.csv + 7 stage files, 81,716 rows`. */
import { basename, dirname } from 'node:path';
import type { Summary } from '../output/summary.js';
import { thousands } from '../util/text.js';

export function wroteLine(s: Summary, extra: readonly string[]): string | undefined {
  const files = s.output.files;
  const rows = `${thousands(s.output.rows)} row${s.output.rows === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (files.length > 1) {
    const stageFiles = files.length - 1;
    parts.push(`${dirname(files[0]!)}/: ${basename(files[0]!)} + ${stageFiles} stage file${stageFiles === 1 ? '' : 's'}, ${rows}`);
  } else if (files.length === 1) parts.push(`${files[0]}: ${rows}`);
  parts.push(...extra);
  return parts.length ? `wrote ${parts.join('; ')}` : undefined;
}
