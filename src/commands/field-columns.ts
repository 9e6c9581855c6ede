/**
 * Fields the rules read that the contacts lack: an error (exit 3) with the columns and a "did you mean", as for
 * a missing key — a condition on a column that is not there would silently hold for no one. Only the built-in
 * rules, which name no column of the user's choosing, get a warning instead (a first run on any export works).
 */
import type { MissingField } from '../classify/classifier.js';
import { InputError } from '../errors.js';
import { columnList, didYouMean } from '../values/headers.js';

export function checkFieldColumns(missing: readonly MissingField[], files: readonly string[], headers: readonly string[], builtIn: boolean, warn: (m: string) => void): void {
  if (missing.length === 0) return;
  const file = files.join(', ');
  const label = (m: MissingField): string => (m.named && m.field !== m.column ? `${m.field} (${m.column})` : m.column);
  if (builtIn) {
    warn(`${file}: the built-in rules read columns these contacts do not have, read as empty: ${missing.map(label).join(', ')} — write your own rules (funnel init) naming your columns`);
    return;
  }
  const m = missing[0]!;
  const where = m.named ? `fields.${m.field}` : 'the condition';
  if (m.ambiguous) throw new InputError(`the field column '${m.column}' matches several columns equally (${m.ambiguous.join(', ')})`, { file, line: 1 }, `set ${where} in the rules to one of them`);
  const more = missing.length > 1 ? ` (and ${missing.slice(1).map(label).join(', ')})` : '';
  throw new InputError(`no column '${m.column}' for the field${m.named ? ` '${m.field}'` : ''} of the rules${more}`, { file, line: 1 }, `${didYouMean(m.column, headers)}set ${where} in the rules to one of: ${columnList(headers)}`);
}
