/**
 * The final select: the contact's own columns as they came, then the funnel columns of `funnel classify`
 * (stage, score, fit, persona, contactable, content, action, reason, warnings) from the verdict in `staged`.
 */
import { DISQUALIFIED, type Rules } from '../rules/model.js';
import { DISQUALIFIED_BY, DUPLICATE_KEY, EMPTY_KEY, firstStageReason } from '../classify/reasons.js';
import type { SqlEnv } from './env.js';
import { asText } from './values.js';

type Stage = Rules['stages'][number];
type Disqualifier = Rules['disqualify'][number];

/** A literal of the verdict's shared words: plain ASCII without quotes (classify/reasons.ts), alike in every dialect. */
function word(text: string): string {
  return `'${text}'`;
}

/** The select list, one line per column; `internal` lists the working columns to leave out. */
export function selectList(env: SqlEnv, internal: readonly string[]): string[] {
  const { d, rules } = env;
  const p = env.o.prefix;
  const byStage = (f: (s: Stage) => string): string => `CASE c.__stage ${rules.stages.map((s, i) => `WHEN ${i} THEN ${d.str(f(s))}`).join(' ')} END`;
  const needsConsent = rules.stages.map((s, i) => (s.needsConsent ? i : -1)).filter((i) => i >= 0);
  const byDisq = (f: (q: Disqualifier) => string): string =>
    rules.disqualify.length ? `CASE c.__disq ${rules.disqualify.map((q) => `WHEN ${d.str(q.id)} THEN ${d.str(f(q))}`).join(' ')} END` : 'NULL';
  const withoutConsent = rules.consent && needsConsent.length ? ` WHEN NOT c.__consent AND c.__stage IN (${needsConsent.join(', ')}) THEN ${d.str(rules.consent.action)}` : '';
  const reason = (s: Stage): string => (s === rules.stages[0] ? firstStageReason(s.id) : `${s.id}: the rule of stage ${s.id} holds`);
  return [
    `    ${d.keepRow.output('c', internal)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${word(DISQUALIFIED)} ELSE ${byStage((s) => s.id)} END AS ${d.ident(`${p}stage`)}`,
    `    ${d.round1('c.__score')} AS ${d.ident(`${p}score`)}`,
    `    c.__fit AS ${d.ident(`${p}fit`)}`,
    `    CASE WHEN c.__persona THEN 'yes' ELSE 'no' END AS ${d.ident(`${p}persona`)}`,
    `    CASE WHEN c.__consent THEN 'yes' ELSE 'no' END AS ${d.ident(`${p}contactable`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${byDisq((q) => q.content)} ELSE ${byStage((s) => s.content)} END AS ${d.ident(`${p}content`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${byDisq((q) => q.action)}${withoutConsent} ELSE ${byStage((s) => s.action)} END AS ${d.ident(`${p}action`)}`,
    `    CASE WHEN c.__disq IS NOT NULL THEN ${word(DISQUALIFIED_BY)} || c.__disq ELSE ${byStage(reason)} END AS ${d.ident(`${p}reason`)}`,
    `    CASE WHEN c.__key = '' THEN ${word(EMPTY_KEY)} WHEN c.__dups > 1 THEN ${word(DUPLICATE_KEY[0])} || ${asText(d, 'c.__dups')} || ${word(DUPLICATE_KEY[1])} ELSE '' END AS ${d.ident(`${p}warnings`)}`,
  ];
}
