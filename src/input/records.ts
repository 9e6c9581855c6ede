/**
 * The one record-source interface every table reads through, whatever its path (the byte tokenizer, csv-parse,
 * JSON), and the ways of consuming it: a synchronous visitor in batches (`forEachRecord`), up to a file offset
 * (`readUntil`, for `--threads`), as async rows of values (`tableRows`), or a sample first (`sampleRows`).
 */
import type { Rec } from './record.js';
import { TextRec } from './text-rec.js';

/**
 * Where a read stopped — one vocabulary for the tokenizer, the chunk reader and the range reader.
 * 'more': records remain (for the tokenizer: feed it the next chunk first); 'end': every record was read;
 * 'exact': stopped before a record (or blank line) starting exactly at the file offset asked for; 'past': before
 * one starting beyond it (the offset is inside a record); 'handover' (the tokenizer only): text after a closing
 * quote, which csv-parse reads from there on.
 */
export type ReadState = 'more' | 'end' | 'exact' | 'past' | 'handover';
/** What a record source answers: it reads on through csv-parse itself after a hand-over. */
export type SourceState = Exclude<ReadState, 'handover'>;
/** How a read up to a file offset ended: 'exact', 'past', or 'end' of the input. */
export type RangeEnd = Exclude<ReadState, 'more' | 'handover'>;

export interface RecordSource {
  /**
   * Visits the next records synchronously, at most `max`, reading at most one more chunk of the input; with
   * `stopAt` (when `offsets`), stops before the first record that starts at that file offset or beyond. The
   * record passed is valid only during the call. Never answers 'handover'.
   */
  read(visit: (r: Rec) => void, max?: number, stopAt?: number): Promise<SourceState>;
  /** Whether `stopAt` is honoured: only the byte path of a UTF-8 file knows file offsets. */
  readonly offsets: boolean;
}

export interface TableRow {
  /** Aligned with `headers`; longer when a CSV row has more fields than the header (ragged). */
  values: string[];
  /** The line the row starts on (for JSON arrays, the record's position). */
  line: number;
  /** Fields the record really had, for ragged-row warnings; equals headers.length for JSON. */
  width: number;
  /** Lines the record spans, where the reader tells. */
  lines?: number;
}

/** A source over rows already made of strings (csv-parse, JSON). */
export function rowSource(rows: AsyncIterator<TableRow>): RecordSource {
  const rec = new TextRec();
  return {
    offsets: false,
    async read(visit, max = Infinity) {
      try {
        for (let k = 0; k < max; k++) {
          const r = await rows.next();
          if (r.done) return 'end';
          rec.values = r.value.values;
          rec.width = r.value.width;
          rec.line = r.value.line;
          rec.lines = r.value.lines ?? 1;
          visit(rec);
        }
      } catch (e) {
        // As a for-await loop would: the rows' generator ends, releasing what it holds (a spooled stdin).
        await rows.return?.();
        throw e;
      }
      return 'more';
    },
  };
}

/**
 * Records are visited synchronously, a batch at a time; a visit may be slow (a `matches` falling back to the
 * linear engine costs about a microsecond a character). So the batch shrinks when a step takes long, and the event
 * loop gets a turn every 100 ms: a signal is handled within a step's time, never after a whole chunk's.
 */
class Steps {
  batch = 4096;
  private lastYield = performance.now();

  async timed<T>(step: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const r = await step();
    const ms = performance.now() - t0;
    if (ms > 50) this.batch = Math.max(1, this.batch >> 2);
    else if (ms < 10 && this.batch < 65_536) this.batch <<= 1;
    return r;
  }

  async yieldNow(): Promise<void> {
    if (performance.now() - this.lastYield < 100) return;
    await new Promise<void>((res) => setImmediate(res));
    this.lastYield = performance.now();
  }
}

/**
 * Every record of a source to a synchronous visitor. `between`, when given, is awaited after each batch: the
 * place to flush output.
 */
export async function forEachRecord(table: { records: RecordSource }, visit: (r: Rec) => void, between?: () => Promise<void>): Promise<void> {
  const steps = new Steps();
  for (let more = true; more; ) {
    more = (await steps.timed(() => table.records.read(visit, steps.batch))) !== 'end';
    await between?.();
    await steps.yieldNow();
  }
}

/**
 * Records until the next one starts at file offset `stopAt` or beyond ('exact': one starts right there; 'past':
 * further on; 'end': the input ended first, or csv-parse took over, which knows no offsets). Reading the source
 * again goes on from there. Only for a source with `offsets`.
 */
export async function readUntil(table: { records: RecordSource }, visit: (r: Rec) => void, stopAt: number, between?: () => Promise<void>): Promise<RangeEnd> {
  // In batches, as forEachRecord: a signal is handled within a step, and `between` flushes what the rows wrote.
  const steps = new Steps();
  for (;;) {
    const res = await steps.timed(() => table.records.read(visit, steps.batch, stopAt));
    await between?.();
    if (res !== 'more') return res;
    await steps.yieldNow();
  }
}

/** A record's values, as many as the header's or the record's fields. */
function valuesOf(r: Rec, n: number): string[] {
  if (r instanceof TextRec) return r.values;
  const values = new Array<string>(Math.max(n, r.width));
  for (let i = 0; i < values.length; i++) values[i] = r.field(i);
  return values;
}

const ROW_BATCH = 4096;

/** The records as rows of values, for readers that await between rows (they cost a string per field). */
export async function* tableRows(table: { records: RecordSource; headers: readonly string[] }): AsyncGenerator<TableRow> {
  const batch: TableRow[] = [];
  const toRow = (r: Rec): void => {
    batch.push({ values: valuesOf(r, table.headers.length), line: r.line, width: r.width, lines: r.lines });
  };
  for (let more = true; more; ) {
    more = (await table.records.read(toRow, ROW_BATCH)) !== 'end';
    yield* batch;
    batch.length = 0;
  }
}

/**
 * The first `n` rows of a table as values, and the table to read again from its first row (without file offsets:
 * the sample is read already). For choosing a column by its values.
 */
export async function sampleRows<T extends { records: RecordSource; headers: readonly string[] }>(table: T, n: number): Promise<{ sample: string[][]; table: T }> {
  const head: TextRec[] = [];
  const keep = (r: Rec): void => {
    head.push(new TextRec(valuesOf(r, table.headers.length), r.line, r.width, r.lines ?? 1));
  };
  while (head.length < n && (await table.records.read(keep, n - head.length)) !== 'end');
  const rest = table.records;
  let next = 0;
  const records: RecordSource = {
    offsets: false,
    async read(visit, max = Infinity) {
      let k = 0;
      for (; next < head.length && k < max; k++) visit(head[next++]!);
      return k === max ? 'more' : rest.read(visit, max - k);
    },
  };
  return { sample: head.map((r) => r.values), table: { ...table, records } };
}
