/** Which column `--by <field>` names: a friendly name of the rules' `fields`, or a column of the file. */
import { InputError } from '../errors.js';
import { findColumn } from '../values/headers.js';
import type { Rules } from '../rules/model.js';
import { closest } from '../util/text.js';

export function byColumn(by: string, rules: Rules | undefined, headers: readonly string[], file: string): number {
  const friendly = rules?.fields.get(by) ?? [...(rules?.fields ?? [])].find(([k]) => k.toLowerCase() === by.trim().toLowerCase())?.[1];
  const name = friendly ?? by;
  const m = findColumn(headers, name);
  if (m.index !== -1) return m.index;
  if (m.ambiguous) throw new InputError(`--by '${by}': several columns end with '.${name}': ${m.ambiguous.join(', ')}`, { file }, 'give the full column name');
  const guess = closest(name, [...headers, ...(rules?.fields.keys() ?? [])]);
  const hint = guess ? `did you mean '${guess}'?` : `columns are: ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`;
  throw new InputError(`--by '${by}'${friendly ? ` (column '${friendly}')` : ''} is not a column of the contacts`, { file }, hint);
}
