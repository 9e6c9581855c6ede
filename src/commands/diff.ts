/**
 * `funnel diff before.csv after.csv`: who moved between two runs. A movement matrix, contacts added and
 * removed counted apart, and optionally the moved contacts written out with both stages.
 */
import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { normalizeKey } from '../values/keys.js';
import { OutputRun, libraryEnv, type Output, type OutputEnv } from '../output/commit.js';
import { rowFormat } from '../output/rows.js';
import { StageMovements, type DiffResult } from '../output/diff-result.js';
import { readPreviousRun } from '../aggregate/previous-run.js';
import { openAnnotated } from './annotated.js';
import { tableRows } from '../input/table.js';

export interface DiffOptions {
  before: string;
  after: string;
  prefix: string;
  key?: string;
  normalize: 'email' | 'exact';
  /** Where to write the moved contacts: a path, or `-` for `io.stdout`. */
  moved?: string;
  /** Stage ids in funnel order (from the rules); others follow in the order met. */
  order?: readonly string[];
  /** The rules file read for the key, if any: --moved never replaces it. */
  rulesPath?: string;
  cwd?: string;
}

export async function diff(opts: DiffOptions, io: { stdin?: Readable; stdout: Writable; warn(m: string): void; outputs?: OutputEnv }): Promise<DiffResult> {
  if (opts.before === '-' && opts.after === '-') throw new UsageError('standard input (-) can be read only once');
  const run = new OutputRun({ ...(io.outputs ?? libraryEnv(opts.cwd ?? '.')), stdout: io.stdout });
  run.input(opts.before);
  run.input(opts.after);
  if (opts.rulesPath !== undefined) run.input(opts.rulesPath, 'the rules file');
  const movedOut = opts.moved !== undefined ? run.file(opts.moved, '--moved') : undefined;
  await run.open();
  try {
    return await compare(opts, io, movedOut, run);
  } finally {
    run.abort();
  }
}

async function compare(opts: DiffOptions, io: { stdin?: Readable; warn(m: string): void }, movedOut: Output | undefined, run: OutputRun): Promise<DiffResult> {
  const b = await openAnnotated(opts.before, { prefix: opts.prefix, key: opts.key, cwd: opts.cwd ?? '.', stdin: io.stdin, warn: io.warn });
  const before = await readPreviousRun(b.table, b.cols, { normalize: opts.normalize });
  const a = await openAnnotated(opts.after, { prefix: opts.prefix, key: opts.key, cwd: opts.cwd ?? '.', stdin: io.stdin, warn: io.warn });
  const movements = new StageMovements();
  const after = { rows: 0, emptyKeys: 0, duplicates: 0, added: 0 };
  const seen = new Set<string>();
  const columns = [...a.table.headers, `${opts.prefix}stage_before`];
  const moved = movedOut && { out: movedOut, format: rowFormat({ format: 'csv', columns, delimiter: a.table.delimiter }) };
  if (moved) await moved.out.write(moved.format.header());
  for await (const row of tableRows(a.table)) {
    after.rows++;
    const k = normalizeKey(row.values[a.cols.key] ?? '', opts.normalize);
    const now = (row.values[a.cols.stage] ?? '').trim();
    movements.see(now);
    if (k.trim() === '') {
      after.emptyKeys++;
      continue;
    }
    if (seen.has(k)) {
      after.duplicates++;
      continue;
    }
    seen.add(k);
    const was = before.get(k)?.stage;
    if (was === undefined) after.added++;
    else if (movements.move(was, now) && moved) {
      const values = [...row.values];
      while (values.length < a.table.headers.length) values.push('');
      values.push(was);
      await moved.out.write(moved.format.row(values));
    }
  }
  await run.commit();
  let removed = 0;
  for (const k of before.keys()) if (!seen.has(k)) removed++;
  const duplicates = { before: before.duplicates, after: after.duplicates };
  const empty = { before: before.emptyKeys, after: after.emptyKeys };
  const tell = (n: { before: number; after: number }, what: string): void => {
    for (const [side, file] of [['before', b.table.file], ['after', a.table.file]] as const) {
      if (n[side]) io.warn(`${file}: ${n[side]} row(s) ${what}; only the first row of a key is compared`);
    }
  };
  tell(duplicates, 'repeat a key of an earlier row');
  tell(empty, 'have an empty key and are not compared');
  return {
    before: { file: b.table.file, rows: before.rows },
    after: { file: a.table.file, rows: after.rows },
    stages: movements.ordered(opts.order),
    matrix: movements.matrix,
    changed: movements.changed,
    unchanged: movements.unchanged,
    added: after.added,
    removed,
    duplicate_key_rows: duplicates,
    empty_key_rows: empty,
    moved_file: opts.moved,
  };
}
