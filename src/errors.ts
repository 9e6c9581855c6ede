/**
 * The few error classes of funnel. Each carries the exit code of the spec, so that the CLI turns any of
 * them into one line in one place (src/cli/run.ts) and the library never touches `process`.
 */

export interface Location {
  file?: string;
  line?: number;
  col?: number;
}

export abstract class FunnelError extends Error {
  abstract readonly exitCode: number;
  readonly location: Location;
  readonly hint?: string;

  constructor(message: string, location: Location = {}, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.location = location;
    this.hint = hint;
  }

  /** `<file>:<line>[:<col>]: <what> — <hint>`, the one line users see after `funnel: error: `. */
  format(): string {
    const { file, line, col } = this.location;
    let where = '';
    if (file !== undefined) {
      where = file;
      if (line !== undefined) where += `:${line}`;
      if (line !== undefined && col !== undefined) where += `:${col}`;
      where += ': ';
    }
    return `${where}${this.message}${this.hint ? ` — ${this.hint}` : ''}`;
  }
}

/** Exit 2: the command line is wrong. */
export class UsageError extends FunnelError {
  readonly exitCode = 2;
}

/** Exit 2: the rules file does not parse or does not validate. */
export class RulesError extends FunnelError {
  readonly exitCode = 2;
  /** Every problem found, when validation collected several. */
  readonly problems: readonly FunnelError[];
  constructor(message: string, location: Location = {}, hint?: string, problems: readonly FunnelError[] = []) {
    super(message, location, hint);
    this.problems = problems;
  }
}

/** Exit 3: an input cannot be read or is invalid (missing file, missing column, malformed CSV, --strict). */
export class InputError extends FunnelError {
  readonly exitCode = 3;
}

/** Exit 1: an output cannot be written (a full disk, a folder gone): nothing the input or the command line did. */
export class OutputError extends FunnelError {
  readonly exitCode = 1;
}

export function isFunnelError(e: unknown): e is FunnelError {
  return e instanceof FunnelError;
}
