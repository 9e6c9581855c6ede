/**
 * The options of every command that reads exports (--delimiter, --encoding, --threads), checked once and
 * alike: a bad value is a usage error (exit 2) in validate and explain as in classify, whatif and history.
 */
import { UsageError } from '../errors.js';
import { parseDelimiterOption } from '../input/sniff.js';
import { checkEncoding } from '../input/decode.js';

function wholeNumber(v: unknown, name: string): void {
  if (v !== undefined && !/^[1-9]\d*$/.test(String(v))) throw new UsageError(`${name} must be a whole number ≥ 1, not '${String(v)}'`);
}

/** Checks the reading options; returns the delimiter as the readers take it (undefined: sniffed). */
export function checkReadOptions(o: Record<string, unknown>): { delimiter: string | undefined } {
  const delimiter = o.delimiter === undefined ? undefined : parseDelimiterOption(String(o.delimiter));
  if (o.delimiter !== undefined && delimiter === undefined) throw new UsageError(`invalid --delimiter '${String(o.delimiter)}'`, {}, 'give one character, or tab');
  if (o.encoding !== undefined) checkEncoding(String(o.encoding));
  wholeNumber(o.threads, '--threads');
  wholeNumber(o.minRangeBytes, '--min-range-bytes');
  return { delimiter };
}
