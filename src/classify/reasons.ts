/**
 * The words of a verdict that `funnel classify` and `funnel sql` both write, defined once: the head of a
 * disqualified contact's reason and the reason of a contact left at the first stage. Plain ASCII without
 * quotes, so the SQL compiler writes them as literals as they are.
 */
import { DISQUALIFIED } from '../rules/model.js';

/** The head of a disqualified contact's reason, before the CLI's evidence: `disqualified: competitor`. */
export const DISQUALIFIED_BY = `${DISQUALIFIED}: `;

/** The reason of a contact left at the first stage. */
export function firstStageReason(id: string): string {
  return `${id}: no rule of a later stage holds`;
}
