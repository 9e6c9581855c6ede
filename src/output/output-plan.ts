/**
 * Every output of a `classify` run, as one value: the annotated rows (`-o` file, or the `--out-dir` folder of
 * `contacts.<ext>` and one file per stage), the summary file, and what is made from the summary (`--report`).
 * Planned on the OutputRun before any input is read, so each is checked (never an input, writable, not locked)
 * up front; and the list the summary reports is taken from the same plan.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Output, OutputFolder, OutputRun } from './commit.js';
import type { OutputFormat } from './rows.js';
import type { Summary } from './summary.js';

export interface OutputsWanted {
  /** `-o`: one file of rows (`-` standard output). */
  output?: string;
  /** `--out-dir`, the default when `-o` is not given. */
  outDir?: string;
  format: OutputFormat;
  summaryFile?: string;
  alsoWrite?: readonly { path: string; role: string; content: (summary: Summary) => Promise<string | Buffer> }[];
}

export const DEFAULT_OUT_DIR = 'funnel-out';

/** What can be told of the outputs before anything is read. */
export function checkOutputs(wanted: OutputsWanted): void {
  if (wanted.output !== undefined && wanted.outDir !== undefined) throw new UsageError('-o and --out-dir exclude each other', {}, 'choose one output');
}

export class OutputPlan {
  readonly ext: string;
  private readonly rowsFile?: Output;
  private readonly folder?: OutputFolder;
  private readonly dir?: string;
  /** The summary as JSON, when written to a file (`-` is left to the caller). */
  readonly summary?: Output;
  readonly extra: { out: Output; content: (summary: Summary) => Promise<string | Buffer> }[];

  /** `stageIds`: every stage a row may get, each a file of the folder. */
  constructor(
    run: OutputRun,
    private readonly wanted: OutputsWanted,
    readonly stageIds: readonly string[],
  ) {
    this.ext = wanted.format;
    if (wanted.output !== undefined) this.rowsFile = run.file(wanted.output, '-o');
    else {
      this.dir = wanted.outDir ?? DEFAULT_OUT_DIR;
      this.folder = run.folder(this.dir, '--out-dir', [this.name('contacts'), ...stageIds.map((id) => this.name(id))]);
    }
    if (wanted.summaryFile === '-' && wanted.output === '-') throw new UsageError('-o - and --summary-file - both write to standard output', {}, 'write one of them to a file');
    this.summary = wanted.summaryFile !== undefined && wanted.summaryFile !== '-' ? run.file(wanted.summaryFile, '--summary-file') : undefined;
    this.extra = (wanted.alsoWrite ?? []).map((w) => ({ out: run.file(w.path, w.role), content: w.content }));
  }

  private name(base: string): string {
    return `${base}.${this.ext}`;
  }

  /** True when the rows go to standard output. */
  get rowsOnStdout(): boolean {
    return this.wanted.output === '-';
  }

  /** True when each stage gets a file of its own beside all contacts. */
  get byStage(): boolean {
    return this.folder !== undefined;
  }

  /** Where every row goes: the `-o` file, or the folder's contacts file. */
  allRows(): Output {
    return this.rowsFile ?? this.folder!.file(this.name('contacts'));
  }

  /** The folder's file of one stage. */
  stageRows(stage: string): Output {
    return this.folder!.file(this.name(stage));
  }

  /**
   * The files of rows as the summary lists them, given the stages that had rows: a stage without contacts today
   * keeps no file of yesterday (the commit removes what the manifest lists).
   */
  files(written: (stage: string) => boolean): string[] {
    if (this.dir === undefined) return this.wanted.output === '-' ? [] : [this.wanted.output!];
    return [join(this.dir, this.name('contacts')), ...this.stageIds.filter(written).map((id) => join(this.dir!, this.name(id)))];
  }
}
