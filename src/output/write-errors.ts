/** Errors of writing as users read them: which file, what the system said, what to do. */
import { OutputError, isFunnelError, type FunnelError } from '../errors.js';

/** What to do about a full or read-only file system; `otherwise` for any other failure. */
function hintFor(code: string | undefined, otherwise: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'free some disk space, or write elsewhere';
  return code === 'EROFS' ? 'the file system is read-only: write elsewhere' : otherwise;
}

/** A write error as users read it: which file, what the system said, what to do. */
export function writeError(file: string, e: unknown): FunnelError {
  if (isFunnelError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const what = `${err.code ? `${err.code}: ` : ''}${String(err.message).replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')}`;
  return new OutputError(`cannot write (${what})`, { file }, hintFor(err.code, 'check that the folder exists and is writable'));
}

/** A folder that cannot be made or written in (`what` says which), with the system's code. */
export function folderError(path: string, e: unknown, what: string): FunnelError {
  if (isFunnelError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new OutputError(`${what} (${code})`, { file: path }, hintFor(code, 'check the path and its permissions, or write elsewhere'));
}
