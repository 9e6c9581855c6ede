/** Errors of writing as users read them: which file, what the system said, what to do. */
import { OutputError, isFunnelError, type FunnelError } from '../errors.js';

/** A write error as users read it: which file, what the system said, what to do. */
export function writeError(file: string, e: unknown): FunnelError {
  if (isFunnelError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const what = `${err.code ? `${err.code}: ` : ''}${String(err.message).replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')}`;
  const hint = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free some disk space, or write elsewhere' : err.code === 'EROFS' ? 'the file system is read-only: write elsewhere' : 'check that the folder exists and is writable';
  return new OutputError(`cannot write (${what})`, { file }, hint);
}

/** A folder that cannot be made or written in (`what` says which), with the system's code. */
export function folderError(path: string, e: unknown, what: string): FunnelError {
  if (isFunnelError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  const hint = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some disk space, or write elsewhere' : code === 'EROFS' ? 'the file system is read-only: write elsewhere' : 'check the path and its permissions, or write elsewhere';
  return new OutputError(`${what} (${code})`, { file: path }, hint);
}
