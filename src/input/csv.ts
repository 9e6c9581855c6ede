/**
 * CSV records from text chunks, through csv-parse, each with the line it starts on. Errors become one-line
 * InputErrors that name the line where the broken record starts (csv-parse reports where it gave up).
 */
import { Readable } from 'node:stream';
import type { InfoRecord, Options } from 'csv-parse';
import { InputError } from '../errors.js';
import { requireCjs } from '../util/require.js';

export interface CsvRecord {
  fields: string[];
  line: number;
  /** Lines the record spans, where the tokenizer tells. */
  lines?: number;
}

export interface CsvOptions {
  file: string;
  delimiter: string;
  /** A record larger than this is an error: almost always an unclosed quote swallowing the file. */
  maxRecordSize?: number;
}

export const DEFAULT_MAX_RECORD_SIZE = 32 << 20;

/** The csv-parse path: the oracle of the byte tokenizer, and its fallback. */
export async function* parseCsvWithCsvParse(text: AsyncIterable<string>, opts: CsvOptions & { lineOffset?: number }): AsyncGenerator<CsvRecord> {
  const offset = opts.lineOffset ?? 0;
  const maxRecordSize = opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
  // Lines are tracked in on_record, which runs as each record is parsed: an error may surface before the
  // records ahead of it reach the loop below, and must still name the line where the broken record starts.
  let lastEnd = 0;
  let lastEmpty = 0;
  const onRecord = (record: string[], ctx: InfoRecord): CsvRecord | null => {
    const line = offset + lastEnd + 1 + (ctx.empty_lines - lastEmpty);
    lastEnd = ctx.lines;
    lastEmpty = ctx.empty_lines;
    // A line of blanks only is a blank line, not a row.
    if (record.length === 1 && record[0]!.trim() === '') return null;
    return { fields: record, line, lines: offset + ctx.lines - line + 1 };
  };
  // Loaded on first use: the byte tokenizer reads most files without it.
  const { parse } = requireCjs('csv-parse') as typeof import('csv-parse');
  const parser = parse({
    delimiter: opts.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Exports edited by hand mix line endings; a lone CR is an old Mac export.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: maxRecordSize,
    on_record: onRecord as unknown as Options['on_record'],
  });
  const source = Readable.from(text, { objectMode: true });
  let sourceError: unknown;
  source.on('error', (e) => {
    sourceError = e;
    parser.destroy(e);
  });
  source.pipe(parser);

  try {
    for await (const rec of parser as AsyncIterable<CsvRecord>) yield rec;
  } catch (e) {
    if (sourceError !== undefined) throw sourceError;
    if (e instanceof InputError) throw e;
    const err = e as Error & { code?: string; lines?: number; empty_lines?: number };
    const start = offset + lastEnd + 1 + Math.max(0, (err.empty_lines ?? lastEmpty) - lastEmpty);
    switch (err.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        throw new InputError('unclosed quote: the quoted field opened on this line runs to the end of the file', { file: opts.file, line: start }, 'close the quote, or double the quote characters inside the field');
      case 'CSV_MAX_RECORD_SIZE':
        throw new InputError(`a record starting on this line is larger than ${Math.round(maxRecordSize / (1 << 20))} MB`, { file: opts.file, line: start }, 'probably an unclosed quote; check the quotes on this line');
      default:
        throw new InputError(`malformed CSV (${err.message})`, { file: opts.file, line: err.lines === undefined ? start : offset + err.lines }, 'check the quoting around this line');
    }
  }
}
