/**
 * The sections of what is computed for every contact before its stage, in this order: `scoring` (engagement
 * points and fit rules), `consent`, `persona`. Their conditions may use only what comes before them (see
 * conditions.ts).
 */
import type { Node } from 'yaml';
import { DURATION_HINT } from './duration.js';
import { snakeCase } from '../util/text.js';
import type { Checker, Entry, Timed } from './checker.js';
import { parseCond, type CondContext } from './conditions.js';
import { CONSENT, FIT_RULE, SCORING, keysOf, shapeOf } from './grammar.js';
import { DEFAULT_CONSENT_ACTION, type Cond, type FitRule, type Rules } from './model.js';

const SCORING_KEYS = keysOf(SCORING);
const FIT_RULE_KEYS = keysOf(FIT_RULE);
const CONSENT_KEYS = keysOf(CONSENT);

/** The `scoring` section, and where each signal given points is named (for the unused-signal warning). */
export function parseScoring(cx: CondContext, section: Entry | undefined): { scoring: Rules['scoring']; pointNodes: Map<string, Node | null> } {
  const { c } = cx;
  const scoring: Rules['scoring'] = { points: new Map(), fit: [] };
  const pointNodes = new Map<string, Node | null>();
  const m = section && c.mapping(section.value, `'scoring'`, SCORING_KEYS);
  if (!m) return { scoring, pointNodes };
  const hl = m.get('half_life');
  if (hl) {
    const d = c.typed(hl.value, shapeOf(SCORING, 'half_life'), `'half_life'`) as Timed | undefined;
    if (d && d.ms <= 0) c.error(hl.value, `half_life must be longer than zero`, DURATION_HINT);
    else if (d) scoring.halfLifeMs = d.ms;
  }
  const pe = m.get('points');
  if (pe) {
    const ps = shapeOf(SCORING, 'points');
    for (const e of c.entries(pe.value, `'points'`) ?? []) {
      const n = c.typed(e.value, ps.type === 'dict' ? ps.values : ps, `points of '${e.key}'`) as number | undefined;
      const signal = snakeCase(e.key);
      if (n !== undefined) scoring.points.set(signal, n);
      pointNodes.set(signal, e.keyNode);
    }
  }
  const fi = m.get('fit');
  const items = fi && c.list(fi.value, `'fit' must be a list of { when: …, points: N }`);
  for (const item of items ?? []) {
    const rule = parseFitRule(cx, item);
    if (rule) scoring.fit.push(rule);
  }
  return { scoring, pointNodes };
}

function parseFitRule(cx: CondContext, item: Node): FitRule | undefined {
  const { c } = cx;
  const m = c.mapping(item, 'a fit rule', FIT_RULE_KEYS);
  if (!m) return undefined;
  const w = m.get('when');
  const p = m.get('points');
  if (!w) c.error(item, `a fit rule needs 'when'`);
  if (!p) c.error(item, `a fit rule needs 'points'`);
  const when = w ? parseCond(cx, w.value, 'fit', 'a fit rule') : undefined;
  const points = p ? (c.typed(p.value, shapeOf(FIT_RULE, 'points'), `fit points`) as number | undefined) : undefined;
  return when && points !== undefined ? { when, points } : undefined;
}

/** `persona`: a condition; absent, every contact fits. */
export function parsePersona(cx: CondContext, section: Entry | undefined): Cond | undefined {
  return section ? parseCond(cx, section.value, 'persona', 'persona') : undefined;
}

/** `consent`: the condition of an opt-in and the action of a contact without it; absent, every contact is contactable. */
export function parseConsent(cx: CondContext, section: Entry | undefined): Rules['consent'] {
  const { c } = cx;
  const m = section && c.mapping(section.value, `'consent'`, CONSENT_KEYS);
  if (!m) return undefined;
  const w = m.get('when');
  if (!w) c.error(section.value, `consent needs 'when', the condition of an opt-in`);
  const when = w ? parseCond(cx, w.value, 'consent', 'consent') : undefined;
  const action = c.optional<string>(m, CONSENT, 'action', 'consent action') ?? DEFAULT_CONSENT_ACTION;
  return when ? { when, action } : undefined;
}
