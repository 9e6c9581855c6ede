/**
 * What validate learns from running the rules' atoms over sample exports: field conditions that hold for none of
 * the sample contacts (a value spelt otherwise, `SaaS` for `Software`), and signals the rules use that no label of
 * the sample activities maps to (`email_replied` where the data says `Email Reply` → `email_reply`).
 */
import type { Problem } from '../rules/load.js';
import { fieldColumn, type Cond, type Rules } from '../rules/model.js';
import { allConditions } from '../rules/walk.js';
import { planActivities } from '../aggregate/plan.js';
import { findColumn } from '../values/headers.js';
import { compileCond, type CompileEnv } from '../classify/conditions.js';
import type { Ctx } from '../classify/context.js';
import { closest } from '../util/text.js';

function warning(file: string, line: number, col: number, message: string, hint?: string): Problem {
  return { severity: 'warning', file, line, col, message, hint };
}

function fieldEnv(rules: Rules, headers: readonly string[]): CompileEnv {
  let memo = 0;
  const none = (): string => '';
  return {
    timezone: rules.activities.timezone,
    dateOrder: rules.activities.dateOrder === 'auto' ? undefined : rules.activities.dateOrder,
    plan: planActivities(rules, Date.now()),
    memoSlot: () => memo++,
    column(field) {
      const n = fieldColumn(rules, field);
      const m = findColumn(headers, n);
      return { index: m.index, name: m.name ?? n };
    },
    stage: () => ({ test: () => false, explain: () => ({ kind: 'stage', held: false, text: '', evidence: '' }) as never }),
    fitExplain: none,
    personaExplain: none,
    consentExplain: none,
  };
}

/** A warning for each field condition (with its column present) that holds for none of the rows. */
export function conditionsHoldingForNone(rules: Rules, rulesName: string, headers: readonly string[], rows: readonly string[][], file: string): Problem[] {
  if (rows.length === 0) return [];
  const env = fieldEnv(rules, headers);
  const out: Problem[] = [];
  // Disqualify rules are meant to hold for few contacts or none.
  const seen = disqualifyConditions(rules);
  const empty = { counts: new Uint32Array(0), last: new Float64Array(0), lastSignal: new Int32Array(0), base: -1, score: 0 };
  for (const c of allConditions(rules)) {
    if (c.kind !== 'field' || seen.has(c)) continue;
    seen.add(c);
    const col = env.column(c.field);
    if (col.index === -1) continue;
    const compiled = compileCond(c, env);
    const ctx: Ctx = { values: [], slot: -1, asOf: Date.now(), act: empty, fit: 0, persona: true, consent: true, stageMemo: new Int8Array(rules.stages.length), warnings: [] };
    let held = false;
    const values = new Map<string, number>();
    for (const r of rows) {
      ctx.values = r;
      ctx.warnings = [];
      if (compiled.test(ctx)) {
        held = true;
        break;
      }
      const v = (r[col.index] ?? '').trim();
      if (v !== '' && values.size < 50) values.set(v, (values.get(v) ?? 0) + 1);
    }
    if (held) continue;
    const common = [...values].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([v]) => `'${v}'`);
    out.push(warning(rulesName, c.pos.line, c.pos.col, `the condition on '${c.field}' holds for none of the ${rows.length} contact row(s) of ${file}`, common.length ? `its values there are such as ${common.join(', ')}` : `column '${col.name}' is empty there`));
  }
  return out;
}

/**
 * A warning for each activity condition none of whose signals any sample label maps to (a condition naming
 * several, `[email_bounce, hard_bounce]`, is fine when one of them occurs).
 */
export function signalsWithoutLabels(rules: Rules, rulesName: string, labels: readonly { label: string; signal: string }[], files: string): Problem[] {
  if (labels.length === 0) return [];
  const present = new Map(labels.map((l) => [l.signal, l.label]));
  const out: Problem[] = [];
  const said = new Set<string>();
  for (const c of allConditions(rules)) {
    if (c.kind !== 'activity' || c.signals.some((s) => present.has(s))) continue;
    for (const s of c.signals) {
      if (said.has(s)) continue;
      said.add(s);
      const guess = closest(s, present.keys());
      out.push(warning(rulesName, c.pos.line, c.pos.col, `signal '${s}' is used by the rules but no label of ${files} maps to it`, guess ? `did you mean '${guess}' (label '${present.get(guess)}')?` : 'map its labels in activities.types'));
    }
  }
  return out;
}

/** The conditions of the disqualify rules: that they hold for no sample contact is what they are for. */
export function disqualifyConditions(rules: Rules): Set<Cond> {
  const out = new Set<Cond>();
  const walk = (c: Cond): void => {
    out.add(c);
    if (c.kind === 'all' || c.kind === 'any') c.items.forEach(walk);
    else if (c.kind === 'not') walk(c.item);
  };
  for (const d of rules.disqualify) walk(d.when);
  return out;
}
