/**
 * Progress of a run's phases, as plain data for whoever shows it (the CLI draws bars on a terminal). The
 * commands call it once per chunk of input read (1 MB) and once per 65,536 activity rows: never per row.
 */
export interface ProgressEvent {
  /** `reading activities`, `scanning contacts`, `classifying and writing`. */
  phase: string;
  /** Bytes of the phase's files done so far (estimated from rows where threads share a file). */
  bytes: number;
  /** The size of the phase's files; undefined when one is standard input. */
  totalBytes: number | undefined;
  rows: number;
}

export type ProgressSink = (ev: ProgressEvent) => void;

export class PhaseMeter {
  private ev: ProgressEvent = { phase: '', bytes: 0, totalBytes: undefined, rows: 0 };
  private read = 0;
  private rowsBefore = 0;

  constructor(private readonly sink: ProgressSink | undefined) {}

  get active(): boolean {
    return this.sink !== undefined;
  }

  start(phase: string, totalBytes: number | undefined): void {
    this.ev = { phase, bytes: 0, totalBytes, rows: 0 };
    this.read = 0;
    this.rowsBefore = 0;
    this.sink?.(this.ev);
  }

  /** `n` more bytes read by this thread. */
  bytes = (n: number): void => {
    this.read += n;
    if (this.read > this.ev.bytes) this.ev.bytes = this.read;
    this.sink?.(this.ev);
  };

  /** Rows done in the current file; `own` those of this thread when others read parts of the file too. */
  rows(n: number, own?: number): void {
    this.ev.rows = this.rowsBefore + n;
    // Threads read the other ranges: their bytes are estimated from their rows at this thread's bytes per row.
    if (own !== undefined && own > 0 && n > own) this.ev.bytes = Math.min(this.ev.totalBytes ?? Infinity, Math.max(this.read, (this.read * n) / own));
    this.sink?.(this.ev);
  }

  /** The current file is done: the next file's rows count on from here. */
  nextFile(rowsOfFile: number): void {
    this.rowsBefore += rowsOfFile;
    this.ev.rows = this.rowsBefore;
  }

  /** Rows of the whole phase (for phases that count rows themselves). */
  setRows(n: number): void {
    this.ev.rows = n;
  }
}
