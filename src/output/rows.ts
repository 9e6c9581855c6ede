/**
 * Annotated rows as CSV, JSON or NDJSON text. CSV goes through csv-stringify with the input's delimiter;
 * JSON and NDJSON use the same flat keys, with score and fit as numbers.
 */
import { stringify } from 'csv-stringify/sync';

export type OutputFormat = 'csv' | 'json' | 'ndjson';

export interface RowFormat {
  header(): string;
  row(values: readonly string[]): string;
  footer(): string;
}

export interface RowFormatOptions {
  format: OutputFormat;
  columns: readonly string[];
  delimiter: string;
  /** Columns written as JSON numbers. */
  numeric?: ReadonlySet<string>;
  /** A UTF-8 BOM first, for Excel. */
  bom?: boolean;
}

export function rowFormat(o: RowFormatOptions): RowFormat {
  const bom = o.bom ? '\uFEFF' : '';
  if (o.format === 'csv') {
    const opts = { delimiter: o.delimiter, record_delimiter: 'unix' as const, quoted_match: /^\s|\s$/ };
    return {
      header: () => bom + stringify([o.columns as string[]], opts),
      row: (values) => stringify([values as string[]], opts),
      footer: () => '',
    };
  }
  const numeric = o.columns.map((c) => o.numeric?.has(c) ?? false);
  const toObject = (values: readonly string[]): string => {
    const parts: string[] = [];
    o.columns.forEach((c, i) => {
      const v = values[i] ?? '';
      parts.push(`${JSON.stringify(c)}:${numeric[i] && v !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : JSON.stringify(v)}`);
    });
    return `{${parts.join(',')}}`;
  };
  if (o.format === 'ndjson') return { header: () => '', row: (v) => `${toObject(v)}\n`, footer: () => '' };
  let first = true;
  return {
    header: () => '[',
    row: (v) => {
      const s = `${first ? '\n' : ',\n'}${toObject(v)}`;
      first = false;
      return s;
    },
    footer: () => (first ? ']\n' : '\n]\n'),
  };
}
