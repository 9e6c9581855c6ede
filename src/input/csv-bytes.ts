/**
 * CSV records of UTF-8 bytes (a UTF-8 file, or decoded text re-encoded): the byte tokenizer, and csv-parse over
 * the text from the first record the tokenizer hands over. Both give the same records and lines (a differential
 * test holds them to it).
 */
import { ByteTokenizer, type HandOver } from './byte-tokenizer.js';
import type { Rec } from './record.js';
import type { SourceState } from './records.js';
import { parseCsvWithCsvParse, type CsvOptions, type CsvRecord } from './csv.js';
import { decodeText } from './decode.js';
import { TextRec } from './text-rec.js';

export interface RecordPump {
  /**
   * Visits up to `max` records (reading one more chunk when needed), stopping before a record that starts at file
   * offset `stopAt` or beyond. Once csv-parse has taken over, offsets are unknown and `stopAt` is not honoured.
   */
  pump(visit: (r: Rec) => void, max?: number, stopAt?: number): Promise<SourceState>;
}

/**
 * `head` is the start of the input (without a BOM), `ended` when it is all of it, then the rest in chunks; `base`
 * is the file offset of `head[0]`.
 */
export function csvBytes(head: Buffer, ended: boolean, rest: AsyncIterator<Buffer>, opts: CsvOptions & { maxRecordSize: number; base?: number }): RecordPump {
  const tok = new ByteTokenizer({ file: opts.file, delimiter: opts.delimiter.charCodeAt(0), maxRecordSize: opts.maxRecordSize, base: opts.base });
  tok.feed(head);
  if (ended) tok.feed(undefined);
  let fallback: AsyncGenerator<CsvRecord> | undefined;
  const textFrom = (h: HandOver): AsyncGenerator<string> =>
    // The iterator of the rest answers `done` again when it has ended already.
    decodeText({ encoding: 'utf-8', head: h.rest, skipped: 0, ended: false, rest }, opts.file, h.line);
  const pump = async (visit: (r: Rec) => void, max = Infinity, stopAt = Infinity): Promise<SourceState> => {
    if (fallback) {
      for (let k = 0; k < max; k++) {
        const r = await fallback.next();
        if (r.done) return 'end';
        visit(new TextRec(r.value.fields, r.value.line, r.value.fields.length, r.value.lines));
      }
      return 'more';
    }
    let seen = 0;
    const res = tok.run(
      (r) => {
        seen++;
        visit(r);
      },
      max,
      stopAt,
    );
    if (res === 'more') {
      if (seen < max) {
        const c = await rest.next();
        tok.feed(c.done ? undefined : c.value);
      }
      return 'more';
    }
    if (res !== 'handover') return res;
    const h = tok.handOver();
    fallback = parseCsvWithCsvParse(textFrom(h), { ...opts, lineOffset: h.line - 1 });
    return 'more';
  };
  return { pump };
}
