/** Gzip between the rows and a file: the compressed bytes go to `write` in order, with backpressure. */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface ChunkWriter {
  write(chunk: Buffer | string): Promise<void>;
  /** Flushes the last compressed bytes; resolves once `write` has taken them all. */
  end(): Promise<void>;
}

export function gzipWriter(write: (chunk: Buffer) => Promise<void>): ChunkWriter {
  const gz = createGzip();
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      write(chunk).then(() => cb(), cb);
    },
  });
  let failed: unknown;
  gz.on('error', (e) => (failed ??= e));
  sink.on('error', (e) => (failed ??= e));
  gz.pipe(sink);
  return {
    async write(chunk) {
      if (failed) throw failed;
      if (!gz.write(chunk)) await Promise.race([once(gz, 'drain'), once(sink, 'error')]);
      if (failed) throw failed;
    },
    async end() {
      gz.end();
      await finished(sink).catch(() => undefined);
      if (failed) throw failed;
    },
  };
}
