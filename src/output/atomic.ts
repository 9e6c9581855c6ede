/**
 * Writing to a stream with backpressure. Output files are not written here any more: every writer goes through
 * an OutputRun (commit.ts), which checks, locks and commits a run's files together.
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

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
