/**
 * Annotated rows as CSV, JSON or NDJSON text. CSV keeps the input's delimiter;
 * JSON and NDJSON use the same flat keys, with score and fit as numbers.
 */

import { isBlank } from '../util/text.js';

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
  /** CSV lines end with CRLF (`--crlf`, for Excel) instead of LF. */
  crlf?: boolean;
}

/**
 * One CSV line, quoting only what needs it (the delimiter, quotes, CR/LF, or leading/trailing blanks), as
 * csv-stringify does: a test holds the two to the same output. Written by hand because it runs once per row.
 */
export function csvLine(delimiter: string, eol = '\n'): (values: readonly string[]) => string {
  const d = delimiter.charCodeAt(0);
  const needs = (v: string): boolean => {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === d || c === 34 || c === 10 || c === 13) return true;
    }
    return v.length > 0 && (isBlank(v.charCodeAt(0)) || isBlank(v.charCodeAt(v.length - 1)));
  };
  return (values) => {
    let out = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (i) out += delimiter;
      out += needs(v) ? `"${v.replace(/"/g, '""')}"` : v;
    }
    return out + eol;
  };
}

export function rowFormat(o: RowFormatOptions): RowFormat {
  const bom = o.bom ? '\uFEFF' : '';
  if (o.format === 'csv') {
    const line = csvLine(o.delimiter, o.crlf ? '\r\n' : '\n');
    return {
      header: () => bom + line(o.columns),
      row: line,
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
