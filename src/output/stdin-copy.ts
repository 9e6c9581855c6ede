/**
 * Standard input read twice (contacts need two passes) is first copied to a temporary file of the run: beside
 * its outputs (or in the run's scratch folder), readable by its owner only — personal data — and removed when the
 * run ends whatever happens, by the next run in that folder after a SIGKILL.
 */
import { createWriteStream, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { writeError, type OutputRun } from './commit.js';

/** The path of the copy; a full disk is an OutputError (exit 1) and leaves no copy. */
export async function copyStdin(stdin: Readable | undefined, run: OutputRun): Promise<string> {
  if (!stdin) throw new InputError('standard input is not available', { file: '<stdin>' });
  const path = run.scratch('stdin');
  // Created before the next turn of the event loop: a signal's handler, which removes the run's temporaries,
  // then finds it (an asynchronous open could create it after the handler ran, and leave it behind).
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    throw writeError(`${dirname(path)} (a copy of standard input)`, e);
  }
  const copy = createWriteStream(path, { fd });
  let writeFailed: unknown;
  copy.on('error', (e) => (writeFailed ??= e));
  try {
    await pipeline(stdin, copy);
  } catch (e) {
    if (writeFailed) throw writeError(`${dirname(path)} (a copy of standard input)`, writeFailed);
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: '<stdin>' });
  }
  return path;
}
