/** What an output run needs of the process: where relative paths start, how long to wait, the standard streams. */
import { tmpdir } from 'node:os';
import type { Writable } from 'node:stream';
import type { FileId } from './guard.js';
import type { ProcessInfo } from './lock.js';

export interface OutputEnv extends ProcessInfo {
  /** Relative output paths are resolved here. */
  cwd: string;
  /** How long to wait for another run's lock (`--wait`), in ms. */
  waitMs: number;
  /** Where temporary files go that have no output folder to live in (stdin copies when rows go to stdout). */
  scratchDir?: string;
  /** Where `-` writes. */
  stdout?: Writable;
  /** Device + inode of standard input when it is a regular file (`< contacts.csv`). */
  stdinId?: FileId;
  /** Device + inode of standard output when it is a regular file (`>> contacts.csv`): `-` is checked as that file. */
  stdoutId?: FileId;
  warn?(message: string): void;
  /**
   * Test hook, called after each rename of a commit but the last; a promise it returns is awaited, so that a
   * signal handler runs in the middle of a commit (and must wait for it: `whenCommitted`).
   */
  afterRename?(done: number, total: number): void | Promise<void>;
}

/** For callers without a CLI (tests, the library): nothing is ever taken for a dead run's leftover. */
export function libraryEnv(cwd: string, stdout?: Writable): OutputEnv {
  return { cwd, pid: 0, host: '', isAlive: () => true, waitMs: 0, scratchDir: tmpdir(), stdout };
}
