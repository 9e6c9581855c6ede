/**
 * Any input as a table: a header and rows of text values, whatever the format, encoding or compression.
 * This is the one door through which every contacts and activities file comes in.
 */
import type { Readable } from 'node:stream';
import { readBytes, type InputRef } from './bytes.js';
import { decodeText, detectEncoding, type Detected } from './decode.js';
import { parseCsvWithCsvParse, DEFAULT_MAX_RECORD_SIZE, type CsvRecord } from './csv.js';
import type { Rec } from './record.js';
import { rowSource, type RecordSource, type TableRow } from './records.js';
import { csvBytes } from './csv-bytes.js';
import { TextRec } from './text-rec.js';
import { isUtf16, skipHeadLines, skipTextLines } from './skip-lines.js';
import { jsonLayout, jsonRows, replayable, type JsonLayout } from './json-table.js';
import { formatFromName, formatFromText, sniffDelimiter, type Format } from './sniff.js';
import { utf8Chunks } from './utf8.js';

export interface ReadOptions {
  stdin?: Readable;
  /** A WHATWG label; disables encoding detection. */
  encoding?: string;
  /** Disables delimiter sniffing. */
  delimiter?: string;
  /** Title lines before the CSV header, skipped (`--skip-lines`). */
  skipLines?: number;
  /** The first record is data; columns are named 1..N. */
  noHeader?: boolean;
  /** File-level warnings (encoding fallback, renamed headers). */
  warn: (message: string) => void;
  /** Headers already known from an earlier pass over the same input (JSON key unions). */
  headers?: readonly string[];
  maxRecordSize?: number;
  /** `csv-parse` reads every CSV through csv-parse alone: the straightforward pipeline, kept as a reference. */
  parser?: 'fast' | 'csv-parse';
}

export interface Table {
  file: string;
  format: Format;
  /** The CSV delimiter, `,` for JSON inputs (used for CSV output). */
  delimiter: string;
  encoding: string;
  /** Column names. For JSON and NDJSON it grows when a later record brings a new key. */
  headers: string[];
  /** The records, read once (records.ts: forEachRecord, readUntil, tableRows, sampleRows). */
  records: RecordSource;
}

export type { Rec } from './record.js';
export { forEachRecord, readUntil, sampleRows, tableRows, type TableRow } from './records.js';

/** Header names made unique and non-empty; renames are reported once per file. */
export function cleanHeaders(raw: readonly string[], file: string, warn: (m: string) => void): string[] {
  const seen = new Set<string>();
  // Per name, the suffix to try next: 50k columns of one name are renamed in linear time, not quadratic.
  const nextSuffix = new Map<string, number>();
  return raw.map((h, i) => {
    let name = h.trim() === '' ? `column_${i + 1}` : h;
    if (name !== h) warn(`${file}: column ${i + 1} has no name; called it '${name}'`);
    if (seen.has(name)) {
      let k = nextSuffix.get(name) ?? 2;
      while (seen.has(`${name}_${k}`)) k++;
      nextSuffix.set(name, k + 1);
      warn(`${file}: column ${i + 1} repeats the name '${name}'; called it '${name}_${k}'`);
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}

async function* peekText(first: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  if (first) yield first;
  yield* rest;
}

export async function openTable(ref: InputRef, opts: ReadOptions): Promise<Table> {
  const file = ref.name;
  let detected = await detectEncoding(readBytes(ref, { stdin: opts.stdin }), { encoding: opts.encoding, file, warn: opts.warn });
  // Title lines before a CSV header; a file named JSON has none.
  const skip = opts.skipLines && formatFromName(ref.path) !== 'json' && formatFromName(ref.path) !== 'ndjson' ? opts.skipLines : 0;
  if (skip && !isUtf16(detected.encoding)) detected = skipHeadLines(detected, skip, file);
  if (detected.encoding === 'utf-8' && opts.parser !== 'csv-parse') {
    // The head as text, for sniffing only: it may end inside a character.
    const headText = detected.head.toString('utf8');
    const format = opts.delimiter ? 'csv' : (formatFromName(ref.path) ?? formatFromText(headText));
    const delimiter = format === 'csv' ? csvDelimiter(ref, headText, opts) : undefined;
    if (delimiter && byteDelimiter(delimiter.delimiter)) return openCsvBytes(ref, detected, delimiter, opts);
  }
  const chunks = skip && isUtf16(detected.encoding) ? skipTextLines(decodeText(detected, file), skip, file) : decodeText(detected, file);
  const firstChunk = await chunks.next();
  const head = firstChunk.done ? '' : firstChunk.value;
  const text = peekText(head, chunks);
  const format = opts.delimiter ? 'csv' : (formatFromName(ref.path) ?? formatFromText(head));

  if (format === 'csv') return openCsv(ref, text, head, detected.encoding, opts);
  return openJson(ref, format, text, detected.encoding, opts);
}

interface CsvDelimiter {
  delimiter: string;
  /** The length of Excel's `sep=` first line, 0 without one: in characters, and in bytes of UTF-8. */
  sepLine: number;
  sepBytes: number;
}

function csvDelimiter(ref: InputRef, head: string, opts: ReadOptions): CsvDelimiter {
  const sep = /^sep=([^\r\n])(?=\r?\n)/i.exec(head);
  const delimiter = opts.delimiter ?? sep?.[1] ?? (ref.path.toLowerCase().replace(/\.gz$/, '').endsWith('.tsv') ? '\t' : sniffDelimiter(head));
  return { delimiter, sepLine: sep ? sep[0].length : 0, sepBytes: sep ? Buffer.byteLength(sep[0]) : 0 };
}

/** The byte tokenizer splits at one ASCII byte; csv-parse reads a CSV with any other delimiter. */
function byteDelimiter(d: string): boolean {
  return d.length === 1 && d.charCodeAt(0) < 0x80;
}

/** The header and the first rows of a table, from records whatever their path. */
function headersOf(first: Rec | undefined, file: string, opts: ReadOptions): { headers: string[]; firstIsData: boolean } {
  let headers: string[] = [];
  if (first) headers = opts.noHeader ? Array.from({ length: first.width }, (_, i) => String(i + 1)) : cleanHeaders(Array.from({ length: first.width }, (_, i) => first.field(i)), file, opts.warn);
  if (opts.headers) headers = [...opts.headers];
  return { headers, firstIsData: first !== undefined && opts.noHeader === true };
}

/**
 * A CSV read as UTF-8 bytes (csv-bytes.ts): the file's own, or text decoded from another encoding and re-encoded
 * (then the bytes are not the file's, and records have no file offsets).
 */
async function openCsvBytes(ref: InputRef, d: Detected, delim: CsvDelimiter, opts: ReadOptions): Promise<Table> {
  const file = ref.name;
  const csvOpts = { file, delimiter: delim.delimiter, maxRecordSize: opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE, base: d.skipped + delim.sepBytes };
  // Excel's `sep=;` line is cut before its line break, so that lines still count from the top of the file.
  const { pump } = csvBytes(d.head.subarray(delim.sepBytes), d.ended, d.rest, csvOpts);
  let first: Rec | undefined;
  let firstCopy: TextRec | undefined;
  while (!first && (await pump((r) => (first = firstCopy = new TextRec(Array.from({ length: r.width }, (_, i) => r.field(i)), r.line, r.width, r.lines)), 1)) === 'more');
  const { headers, firstIsData } = headersOf(first, file, opts);
  // Without a header the first record is data: visited first.
  let unvisited = firstIsData ? firstCopy : undefined;
  const records: RecordSource = {
    offsets: d.encoding === 'utf-8',
    async read(visit, max = Infinity, stopAt = Infinity) {
      if (unvisited) {
        visit(unvisited);
        unvisited = undefined;
        if (--max === 0) return 'more';
      }
      return pump(visit, max, stopAt);
    },
  };
  return { file, format: 'csv', delimiter: delim.delimiter, encoding: d.encoding, headers, records };
}

/** Excel's `sep=;` first line: it names the delimiter and is no row. Blanked (kept as an empty line) so lines still count. */
async function* blankFirstLine(text: AsyncGenerator<string>, length: number): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of text) {
    yield first ? chunk.slice(length) : chunk;
    first = false;
  }
}

/** Decoded text as the UTF-8 bytes the byte tokenizer reads: the same characters, so the same lines and values. */
async function reencoded(text: AsyncIterable<string>, encoding: string): Promise<Detected> {
  const rest = utf8Chunks(text);
  const first = await rest.next();
  return { encoding, head: first.done ? Buffer.alloc(0) : first.value, skipped: 0, ended: first.done === true, rest };
}

/** A CSV as text: re-encoded for the byte tokenizer, or read by csv-parse (`--parser csv-parse`, a delimiter beyond ASCII). */
async function openCsv(ref: InputRef, text: AsyncGenerator<string>, head: string, encoding: string, opts: ReadOptions): Promise<Table> {
  const file = ref.name;
  const delim = csvDelimiter(ref, head, opts);
  if (opts.parser !== 'csv-parse' && byteDelimiter(delim.delimiter)) return openCsvBytes(ref, await reencoded(text, encoding), delim, opts);
  const { delimiter, sepLine } = delim;
  if (sepLine) text = blankFirstLine(text, sepLine);
  const records = parseCsvWithCsvParse(text, { file, delimiter, maxRecordSize: opts.maxRecordSize });
  let headers: string[] = [];
  let pending: CsvRecord | undefined;
  const first = await records.next();
  if (!first.done) {
    if (opts.noHeader) {
      headers = first.value.fields.map((_, i) => String(i + 1));
      pending = first.value;
    } else {
      headers = cleanHeaders(first.value.fields, file, opts.warn);
    }
  }
  if (opts.headers) headers = [...opts.headers];
  async function* rows(): AsyncGenerator<TableRow> {
    const n = headers.length;
    const toRow = (r: CsvRecord): TableRow => {
      const width = r.fields.length;
      const values = r.fields;
      while (values.length < n) values.push('');
      return { values, line: r.line, width, lines: r.lines };
    };
    if (pending) yield toRow(pending);
    for await (const r of records) yield toRow(r);
  }
  return { file, format: 'csv', delimiter, encoding, headers, records: rowSource(rows()) };
}

async function openJson(ref: InputRef, format: Format, text: AsyncGenerator<string>, encoding: string, opts: ReadOptions): Promise<Table> {
  const file = ref.name;
  const shape = format === 'ndjson' ? 'ndjson' : 'json';
  const limit = opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
  const replay = replayable(ref, text, opts);
  let layout: JsonLayout;
  try {
    layout = await jsonLayout(replay.first, file, shape, limit, opts.warn);
  } catch (e) {
    await replay.done();
    throw e;
  }
  const headers = opts.headers ? [...opts.headers] : layout.columns;
  async function* rows(): AsyncGenerator<TableRow> {
    try {
      yield* jsonRows(replay.again(), file, shape, layout, headers, limit);
    } finally {
      await replay.done();
    }
  }
  return { file, format: shape, delimiter: ',', encoding, headers, records: rowSource(rows()) };
}
