/**
 * Spool files: the rows a thread of `--threads` writes for its range of the contacts, which the main thread
 * appends after its own in file order (classify's annotated rows, whatif's moved rows).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { ByteSink } from './byte-sink.js';
import type { Output } from './commit.js';

/** An output into a spool file, written synchronously: the thread has nothing else to do meanwhile. */
export class Spool implements Output {
  readonly doneWithChunks = true;
  private fd?: number;
  constructor(readonly path: string) {}

  write(chunk: Buffer | string): Promise<void> {
    this.fd ??= openSync(this.path, 'w', 0o600);
    writeSync(this.fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Promise.resolve();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/**
 * A spool file's bytes (none if it was never written), to `append`, in blocks of 4 MB (the buffer reused): large
 * enough that a write costs its bytes, not its call; small enough to stay out of the way of the heap.
 */
export async function readSpool(path: string, append: (bytes: Buffer) => Promise<void>): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) await append(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** A spool file appended to a byte sink, flushed as it fills. */
export function appendToSink(sink: ByteSink): (bytes: Buffer) => Promise<void> {
  return (bytes) => sink.passThrough(bytes);
}
