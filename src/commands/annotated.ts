/** Reading annotated files written by `classify` (for `summary`, `diff` and `--previous`). */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { findColumn, guessColumn, EMAIL_COLUMN } from '../input/columns.js';
import { openTable, type Table } from '../input/table.js';

export interface AnnotatedColumns {
  key: number;
  stage: number;
  contactable: number;
  warnings: number;
  reason: number;
  since: number;
}

export async function openAnnotated(path: string, opts: { prefix: string; key?: string; stdin?: Readable; warn: (m: string) => void }): Promise<{ table: Table; cols: AnnotatedColumns }> {
  const table = await openTable(inputRef(path), { stdin: opts.stdin, warn: opts.warn });
  // JSON headers are complete once read; CSV ones at once.
  const rows = table.rows;
  const first = await rows.next();
  const col = (name: string): number => findColumn(table.headers, `${opts.prefix}${name}`).index;
  const stage = col('stage');
  if (stage === -1) throw new InputError(`no column '${opts.prefix}stage'`, { file: table.file, line: 1 }, 'give a file written by funnel classify (or set --prefix)');
  let key: number;
  if (opts.key !== undefined) {
    key = findColumn(table.headers, opts.key).index;
    if (key === -1) throw new InputError(`no key column '${opts.key}'`, { file: table.file, line: 1 }, `columns are: ${table.headers.slice(0, 12).join(', ')}`);
  } else {
    const own = table.headers.map((h, i) => [h, i] as const).filter(([h]) => !h.startsWith(opts.prefix));
    const g = guessColumn(own.map(([h]) => h), EMAIL_COLUMN);
    if (g === -1) throw new InputError('no column looks like an email', { file: table.file, line: 1 }, 'name the key column with --key');
    key = own[g]![1];
  }
  async function* all(): AsyncGenerator<typeof first.value> {
    if (!first.done) yield first.value;
    yield* rows;
  }
  return {
    // The first row is read already: only `rows` goes on from it.
    table: { ...table, rows: all() as Table['rows'], each: undefined },
    cols: { key, stage, contactable: col('contactable'), warnings: col('warnings'), reason: col('reason'), since: col('stage_since') },
  };
}
