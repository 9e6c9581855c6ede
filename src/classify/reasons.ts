/**
 * The words of a verdict that `funnel classify` and `funnel sql` both write, defined once: the head of a
 * disqualified contact's reason, the reason of a contact left at the first stage, and the warnings of a key.
 * Plain ASCII without quotes, so the SQL compiler writes them as literals as they are.
 */
import { DISQUALIFIED } from '../rules/model.js';

/** The head of a disqualified contact's reason, before the CLI's evidence: `disqualified: competitor`. */
export const DISQUALIFIED_BY = `${DISQUALIFIED}: `;

/** The reason of a contact left at the first stage. */
export function firstStageReason(id: string): string {
  return `${id}: no rule of a later stage holds`;
}

/** The row warning of a contact without a key. */
export const EMPTY_KEY = 'empty key';

/** The row warning of a key that several contact rows share, around their count: `duplicate key: 3 rows`. */
export const DUPLICATE_KEY = ['duplicate key: ', ' rows'] as const;

export function duplicateKey(rows: number): string {
  return `${DUPLICATE_KEY[0]}${rows}${DUPLICATE_KEY[1]}`;
}
