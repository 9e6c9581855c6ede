/**
 * Folds an activities table into the aggregates, one row at a time (the visitor is in folder.ts). Slash dates
 * whose order cannot be told yet wait in a small queue until a value of the same file decides it (a part > 12).
 */
import { InputError } from '../errors.js';
import { keyColumn, resolveColumn } from '../input/columns.js';
import { columnList, guessColumn, TIME_COLUMN, TYPE_COLUMN } from '../values/headers.js';
import { forEachRecord, type Table } from '../input/table.js';
import type { Rules } from '../rules/model.js';
import { createFolder, type ActivityColumns, type FoldOptions, type FoldStats } from './folder.js';

export type { ActivityColumns, EventDetail, FoldOptions, FoldStats } from './folder.js';

/**
 * The key, type and time columns of an activities file. Named ones (`activities.key`, else the contacts' key
 * name) must exist; a key the rules never name is chosen by its values, a type or time left unnamed by its header
 * (both said through `warn`). The table returned is the one to read (choosing may read a sample of rows).
 */
export async function activityColumns(table: Table, rules: Rules, warn: (m: string) => void): Promise<{ cols: ActivityColumns; table: Table }> {
  const a = rules.activities;
  const keyName = a.key ?? rules.contacts.key;
  const key = await keyColumn(table, keyName === undefined ? undefined : { what: 'key', name: keyName, rulesKey: 'activities.key' }, warn);
  const other = (what: string, named: string | undefined, patterns: readonly RegExp[], rulesKey: string): number => {
    if (named !== undefined) return resolveColumn(table, { what, name: named, rulesKey });
    const g = guessColumn(table.headers, patterns);
    if (g === -1) throw new InputError(`the rules name no ${what} column, and no column is called like one`, { file: table.file, line: 1 }, `set ${rulesKey} in the rules to one of: ${columnList(table.headers)}`);
    warn(`${table.file}: the rules name no ${what} column; using '${table.headers[g]}' — set ${rulesKey} to choose`);
    return g;
  };
  const cols = { key: key.index, type: other('activity type', a.type, TYPE_COLUMN, 'activities.type'), time: other('activity time', a.time, TIME_COLUMN, 'activities.time') };
  return { cols, table: key.table };
}

export async function foldActivities(opened: Table, opts: FoldOptions): Promise<FoldStats> {
  const { cols, table } = await activityColumns(opened, opts.rules, opts.warn);
  const folder = createFolder(table.file, cols, opts);
  await forEachRecord(table, folder.visit);
  folder.finish();
  folder.stats.keyColumn = table.headers[cols.key];
  return folder.stats;
}
