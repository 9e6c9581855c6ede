/**
 * Folds an activities table into the aggregates, one row at a time (the visitor is in folder.ts). Slash dates
 * whose order cannot be told yet wait in a small queue until a value of the same file decides it (a part > 12).
 */
import { InputError } from '../errors.js';
import { findColumn, guessColumn, EMAIL_COLUMN, TIME_COLUMN, TYPE_COLUMN } from '../input/columns.js';
import { forEachRecord, type Table } from '../input/table.js';
import type { Rules } from '../rules/model.js';
import { createFolder, type ActivityColumns, type FoldOptions, type FoldStats } from './folder.js';

export type { ActivityColumns, EventDetail, FoldOptions, FoldStats } from './folder.js';

export function activityColumns(table: Pick<Table, 'headers' | 'file'>, rules: Rules, warn: (m: string) => void): ActivityColumns {
  const a = rules.activities;
  const pick = (what: string, named: string | undefined, fallbackName: string | undefined, patterns: readonly RegExp[], rulesKey: string): number => {
    if (named !== undefined) {
      const m = findColumn(table.headers, named);
      if (m.index !== -1) return m.index;
      // One rules file serves several exports: an API's `type` where the CSV says `Activity Type`.
      const g = m.ambiguous ? -1 : guessColumn(table.headers, patterns);
      if (g !== -1) {
        warn(`${table.file}: no ${what} column '${named}'; using '${table.headers[g]}' — set ${rulesKey} to choose`);
        return g;
      }
      throw new InputError(
        m.ambiguous ? `the ${what} column '${named}' matches several columns (${m.ambiguous.join(', ')})` : `no ${what} column '${named}'`,
        { file: table.file, line: 1 },
        `set ${rulesKey} in the rules to one of: ${table.headers.slice(0, 12).join(', ')}${table.headers.length > 12 ? ', …' : ''}`,
      );
    }
    if (fallbackName !== undefined) {
      const m = findColumn(table.headers, fallbackName);
      if (m.index !== -1) return m.index;
    }
    const g = guessColumn(table.headers, patterns);
    if (g !== -1) return g;
    throw new InputError(`cannot tell which column holds the ${what}`, { file: table.file, line: 1 }, `set ${rulesKey} in the rules; columns are: ${table.headers.slice(0, 12).join(', ')}`);
  };
  return {
    key: pick('key', a.key, rules.contacts.key, EMAIL_COLUMN, 'activities.key'),
    type: pick('activity type', a.type, undefined, TYPE_COLUMN, 'activities.type'),
    time: pick('activity time', a.time, undefined, TIME_COLUMN, 'activities.time'),
  };
}

export async function foldActivities(table: Table, opts: FoldOptions): Promise<FoldStats> {
  const folder = createFolder(table.file, activityColumns(table, opts.rules, opts.warn), opts);
  await forEachRecord(table, folder.visit);
  folder.finish();
  return folder.stats;
}
