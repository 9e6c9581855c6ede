/**
 * Output files are written beside their destination under a temporary name and renamed into place only
 * when the whole run has succeeded: a failed or killed run leaves no partial file behind.
 */
import { createWriteStream, openSync, promises as fsp, statSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { OutputError, UsageError, isFunnelError, type FunnelError } from '../errors.js';

/** Temporary files of this process, removed on abort and by the CLI's signal handler. */
export const liveTempFiles = new Set<string>();

/**
 * How the destination is written: a device or pipe (`/dev/null`, `/dev/stdout`, a FIFO) in place, as it cannot be
 * renamed over; a regular file or a new name through a temporary file; a folder not at all.
 */
function kindOf(path: string): 'file' | 'special' | 'folder' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'special';
  } catch {
    return 'file';
  }
}

export class AtomicFile {
  readonly tmp: string;
  readonly stream: WriteStream;
  private failed: Error | undefined;
  private readonly direct: boolean;

  constructor(readonly path: string) {
    const kind = kindOf(path);
    if (kind === 'folder') throw new UsageError(`cannot write ${path}: it is a folder`, {}, 'name a file, or use --out-dir for a folder of files');
    this.direct = kind === 'special';
    this.tmp = this.direct ? path : join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
    if (this.direct) this.stream = createWriteStream(this.tmp, { flags: 'w' });
    else {
      // Created synchronously, so that a signal handler removing liveTempFiles never races an open in flight.
      let fd: number;
      try {
        fd = openSync(this.tmp, 'wx');
      } catch (e) {
        throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {}, 'check that the folder exists and is writable');
      }
      this.stream = createWriteStream(this.tmp, { fd });
      liveTempFiles.add(this.tmp);
    }
    this.stream.on('error', (e) => {
      this.failed = e;
    });
  }

  get error(): Error | undefined {
    return this.failed;
  }

  /** A write error as users read it: which file, what the system said, what to do. */
  private wrap(e: unknown): FunnelError {
    if (isFunnelError(e)) return e;
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free some disk space, or write elsewhere' : 'check that the folder exists and is writable';
    return new OutputError(`cannot write (${err.code ? `${err.code}: ` : ''}${err.message.replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')})`, { file: this.path }, hint);
  }

  /** Writes with backpressure; a write error of the file is thrown as an OutputError. */
  async write(chunk: Buffer | string): Promise<void> {
    try {
      await writeChunk(this.stream, chunk);
    } catch (e) {
      throw this.wrap(e);
    }
    if (this.failed) throw this.wrap(this.failed);
  }

  async commit(): Promise<void> {
    try {
      await endStream(this.stream);
      if (this.failed) throw this.failed;
      if (this.direct) return;
      await fsp.rename(this.tmp, this.path);
    } catch (e) {
      throw this.wrap(e);
    }
    liveTempFiles.delete(this.tmp);
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    if (this.direct) return;
    await fsp.rm(this.tmp, { force: true });
    liveTempFiles.delete(this.tmp);
  }
}

/** Ends a stream and waits until it has finished, or rejects with its error — also one it met before. */
export async function endStream(s: Writable): Promise<void> {
  if (s.writableFinished) return;
  s.end();
  // `finished`, not once('finish'): a stream that failed to open is already destroyed and never finishes.
  await finished(s);
}

/** Writes with backpressure: waits for `drain` when the stream's buffer is full. */
export async function writeChunk(s: Writable, chunk: string | Buffer): Promise<void> {
  if (!s.write(chunk)) {
    if (s.destroyed) return;
    await once(s, 'drain');
  }
}
