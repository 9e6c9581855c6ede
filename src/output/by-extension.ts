/**
 * What an output's name says about its content: `-o x.json`, `.ndjson`, `.csv.gz`, `.tsv` choose the format,
 * the compression and the delimiter, unless --format says otherwise (then the name is only a name).
 */
import type { OutputFormat } from './rows.js';

export interface OutputKind {
  /** The format the extension names; undefined: none (CSV, or what --format says). */
  format?: OutputFormat;
  gzip: boolean;
  /** `.tsv`: tab-separated; undefined: the delimiter of the input. */
  delimiter?: string;
}

const FORMATS: Record<string, { format: OutputFormat; delimiter?: string }> = {
  csv: { format: 'csv' },
  tsv: { format: 'csv', delimiter: '\t' },
  tab: { format: 'csv', delimiter: '\t' },
  json: { format: 'json' },
  ndjson: { format: 'ndjson' },
  jsonl: { format: 'ndjson' },
};

export function outputKind(name: string | undefined): OutputKind {
  if (name === undefined || name === '-') return { gzip: false };
  let base = name.toLowerCase();
  const gzip = base.endsWith('.gz');
  if (gzip) base = base.slice(0, -3);
  const ext = /\.([a-z]+)$/.exec(base)?.[1];
  const known = ext ? FORMATS[ext] : undefined;
  return { gzip, ...(known ?? {}) };
}
