/**
 * The records of one byte range of a UTF-8 CSV file, as a thread of `--threads` reads it: from a record that
 * starts at `start` to the one that starts at `stopAt` or beyond. It knows nothing of the rows before, so text
 * that only csv-parse reads (after a closing quote) is an error here: the main thread then reads the range itself.
 */
import { createReadStream } from 'node:fs';
import { ByteTokenizer } from './byte-tokenizer.js';
import type { Rec } from './record.js';
import type { RangeEnd } from './records.js';

export interface ByteRange {
  path: string;
  /** The file's name in messages. */
  file: string;
  /** The file offset of the range's first record, and of the next range's (Infinity for the last range). */
  start: number;
  stopAt: number;
  delimiter: number;
  maxRecordSize: number;
}

export type { RangeEnd } from './records.js';

/** Visits the range's records; `between` is awaited after each chunk of the file (to flush, to report progress). */
export async function readByteRange(r: ByteRange, visit: (rec: Rec) => void, between?: () => Promise<void> | void): Promise<RangeEnd> {
  const tok = new ByteTokenizer({ file: r.file, delimiter: r.delimiter, maxRecordSize: r.maxRecordSize, bom: false, base: r.start });
  const stream = createReadStream(r.path, { start: r.start, highWaterMark: 1 << 20 });
  const run = (): 'more' | RangeEnd => {
    const res = tok.run(visit, Infinity, r.stopAt);
    if (res === 'handover') throw new Error('text after a closing quote: csv-parse reads this file');
    return res;
  };
  try {
    for await (const chunk of stream) {
      tok.feed(chunk as Buffer);
      const ended = run();
      await between?.();
      if (ended !== 'more') return ended;
    }
    tok.feed(undefined);
    const ended = run();
    return ended === 'more' ? 'end' : ended;
  } finally {
    stream.destroy();
  }
}
