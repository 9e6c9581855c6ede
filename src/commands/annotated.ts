/** Reading annotated files written by `classify` (for `summary`, `diff` and `--previous`). */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { inputRef } from '../input/bytes.js';
import { keyColumn } from '../input/columns.js';
import { findColumn } from '../values/headers.js';
import { openTable, type Table } from '../input/table.js';

export interface AnnotatedColumns {
  key: number;
  stage: number;
  contactable: number;
  warnings: number;
  reason: number;
  since: number;
}

export async function openAnnotated(path: string, opts: { prefix: string; key?: string; cwd: string; stdin?: Readable; warn: (m: string) => void }): Promise<{ table: Table; cols: AnnotatedColumns }> {
  const opened = await openTable(inputRef(path, opts.cwd), { stdin: opts.stdin, warn: opts.warn });
  const col = (name: string): number => findColumn(opened.headers, `${opts.prefix}${name}`).index;
  const stage = col('stage');
  if (stage === -1) throw new InputError(`no column '${opts.prefix}stage'`, { file: opened.file, line: 1 }, 'give a file written by funnel classify (or set --prefix)');
  // The key as classify finds it: the one named (by --key or the rules), else the contact column of emails.
  const need = opts.key === undefined ? undefined : { what: 'key', name: opts.key, rulesKey: '--key (or contacts.key)' };
  const { index: key, table } = await keyColumn(opened, need, opts.warn, (h) => !h.startsWith(opts.prefix));
  return {
    table,
    cols: { key, stage, contactable: col('contactable'), warnings: col('warnings'), reason: col('reason'), since: col('stage_since') },
  };
}
