/** One command's run as the terminal shows it: the global flags, colour per stream, warnings, notes, progress. */
import { printable } from '../util/text.js';
import type { ProgressEvent } from '../util/progress.js';
import { chalkFor } from './color.js';
import type { Terminal } from './io.js';
import { ProgressDisplay, progressMode } from './progress.js';

/** The options of `funnel` itself, before the command. */
export interface GlobalOpts {
  quiet?: boolean;
  color?: boolean;
  debug?: boolean;
  progress?: boolean;
}

export class Session {
  readonly display: ProgressDisplay;
  constructor(
    readonly term: Terminal,
    readonly opts: GlobalOpts,
  ) {
    this.display = new ProgressDisplay(term.stderr, progressMode({ quiet: opts.quiet, progress: opts.progress, tty: !!term.stderr.isTTY }));
  }

  get err() {
    return chalkFor({ isTTY: !!this.term.stderr.isTTY, noColorFlag: this.opts.color === false, env: this.term.env });
  }
  get out() {
    return chalkFor({ isTTY: !!this.term.stdout.isTTY, noColorFlag: this.opts.color === false, env: this.term.env });
  }
  private readonly warned = new Set<string>();
  /** Each warning once: the contacts are read twice, and a file-level warning would otherwise repeat. */
  warn = (m: string): void => {
    if (this.opts.quiet || this.warned.has(m)) return;
    this.warned.add(m);
    this.display.clear();
    this.term.stderr.write(`${this.err.yellow('funnel: warning:')} ${printable(m)}\n`);
  };
  note = (m: string): void => {
    if (this.opts.quiet) return;
    this.display.clear();
    this.term.stderr.write(`${this.err.dim(`funnel: ${printable(m)}`)}\n`);
  };
  /** Progress as a free-form status line (commands that count rows only). */
  progress = (m: string): void => this.display.status(printable(m));
  /** Progress of the phases of classify: bars on a terminal. */
  meter = (ev: ProgressEvent): void => this.display.update(ev);
  endProgress(): void {
    this.display.clear();
  }
}

/** What every command's file is given to register itself: the terminal, a session per run, the exit code. */
export interface CliContext {
  term: Terminal;
  /** A new session for the action that calls it (its progress is cleared if the action fails). */
  session(): Session;
  /** Sets the exit code of a run that ends without an error (validate, test). */
  done(code: number): void;
}
