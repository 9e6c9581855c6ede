/**
 * Where annotated rows go: every row to the file of all contacts, and with `--out-dir` each also to its stage's
 * file, opened at its first row. Rows are appended synchronously to byte sinks and written between chunks of
 * input; a stage's file gets the very bytes of the row just written (one JSON array each needs its own).
 */
import { ByteSink } from './byte-sink.js';
import { gzipWriter } from './gzip.js';
import type { Output } from './commit.js';
import type { OutputPlan } from './output-plan.js';
import type { RowFormat } from './rows.js';

interface Sink {
  format: RowFormat;
  /** Rows are appended here synchronously and written by `flush` between chunks of input. */
  out: ByteSink;
  /** After the last flush: ends what lies between the rows and the output (gzip). */
  end(): Promise<void>;
}

/** A sink writing to an output, through gzip when the -o name ends in .gz. */
function sinkOf(output: Output, format: RowFormat, gzip = false): Sink {
  const z = gzip ? gzipWriter((chunk) => output.write(chunk)) : undefined;
  return { format, out: new ByteSink((chunk) => (z ? z.write(chunk) : output.write(chunk)), !z && output.doneWithChunks === true), end: async () => z?.end() };
}

/** Where the rows of a run go: an OutputPlan's, or a thread's spool files (annotated-range-worker.ts). */
export type RowOutputs = Pick<OutputPlan, 'ext' | 'byStage' | 'allRows' | 'stageRows'>;

export class AnnotatedSinks {
  private readonly all: Sink;
  private readonly sinks: Sink[] = [];
  private readonly byStage = new Map<string, Sink>();
  /** JSON arrays need each file's own separators; CSV and NDJSON rows are the same bytes in every file. */
  private readonly ownRows: boolean;

  constructor(
    private readonly plan: RowOutputs,
    private readonly makeFormat: () => RowFormat,
    gzip?: boolean,
  ) {
    this.all = sinkOf(plan.allRows(), makeFormat(), plan.byStage ? false : gzip);
    this.sinks.push(this.all);
    this.ownRows = plan.ext === 'json';
    this.all.out.text(this.all.format.header());
  }

  /** The sink of all rows (rows are appended to it, then `toStage` copies them). */
  get main(): ByteSink {
    return this.all.out;
  }

  get format(): RowFormat {
    return this.all.format;
  }

  /** The row appended to `main` since `mark` also to its stage's file (`values`: the row, for JSON). */
  toStage(stage: string, mark: number, values: readonly string[] | undefined): void {
    if (!this.plan.byStage) return;
    const s = this.stageSink(stage);
    if (this.ownRows) s.out.text(s.format.row(values!));
    else s.out.copyFrom(this.all.out, mark);
  }

  private stageSink(stage: string): Sink {
    let s = this.byStage.get(stage);
    if (!s) {
      s = sinkOf(this.plan.stageRows(stage), this.makeFormat());
      this.byStage.set(stage, s);
      this.sinks.push(s);
      s.out.text(s.format.header());
    }
    return s;
  }

  /**
   * Rows written elsewhere (a thread's range of the contacts, CSV or NDJSON), appended as they are: to the file of
   * all contacts (`stage` undefined) or to a stage's.
   */
  async append(stage: string | undefined, bytes: Buffer): Promise<void> {
    const s = stage === undefined ? this.all : this.stageSink(stage);
    await s.out.passThrough(bytes);
  }

  /** Whether a stage had rows. */
  wrote = (stage: string): boolean => this.byStage.has(stage);

  /** Between chunks of input: the sinks holding a full buffer written. */
  async flushFull(): Promise<void> {
    for (const s of this.sinks) if (s.out.full) await s.out.flush();
  }

  /** After the last row: footers, everything written, gzip ended. */
  async end(): Promise<void> {
    for (const s of this.sinks) s.out.text(s.format.footer());
    for (const s of this.sinks) {
      await s.out.flush();
      await s.end();
    }
  }
}
