/**
 * One contact in, one verdict out: disqualification first, then the most mature stage whose condition holds,
 * with score, fit, persona, consent, content, action and the evidence why.
 */
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Aggregates } from '../aggregate/store.js';
import type { DateOrder } from '../input/dates.js';
import { findColumn } from '../input/columns.js';
import type { Rules, Stage } from '../rules/model.js';
import { compileCond, type CompiledCond, type CompileEnv } from './compile.js';
import { reasonOf, type Ctx, type Explained } from './context.js';

export const DISQUALIFIED = 'disqualified';

export interface Verdict {
  /** A stage id, or `disqualified`. */
  stage: string;
  /** Index in rules.stages; -1 when disqualified. */
  stageIndex: number;
  /** The disqualify rule that held. */
  disqualifiedBy?: string;
  score: number;
  fit: number;
  persona: boolean;
  consent: boolean;
  content: string;
  action: string;
  reason: string;
  warnings: string[];
}

export interface ClassifierEnv {
  headers: readonly string[];
  asOf: number;
  plan: ActivityPlan;
  aggs: Aggregates;
  dateOrder?: DateOrder;
  /** File-level warnings. */
  warn: (message: string) => void;
}

/** A field of the rules that no contact column matches. */
export interface MissingField {
  field: string;
  column: string;
  /** Named in `fields:` (else the condition names the column itself). */
  named: boolean;
  ambiguous?: string[];
}

/** The full story of one contact, for `funnel explain`. */
export interface Explanation {
  fit: { total: number; rules: { points: number; explained: Explained }[] };
  persona?: Explained;
  consent?: Explained;
  disqualify: { id: string; explained: Explained }[];
  stages: { id: string; label: string; explained?: Explained }[];
  verdict: Verdict;
}

export class Classifier {
  private readonly rules: Rules;
  private readonly env: ClassifierEnv;
  private readonly fit: { when: CompiledCond; points: number }[];
  private readonly persona?: CompiledCond;
  private readonly consent?: CompiledCond;
  private readonly disqualify: { id: string; when: CompiledCond; action: string; content: string }[];
  private readonly stageConds: (CompiledCond | undefined)[];
  private readonly stageIndex: Map<string, number>;
  private readonly memo: Int8Array;
  /** The contact columns the rules read (indexes into the headers): the only values `classify` looks at. */
  readonly columns: readonly number[];
  /** Fields the rules read that no header has (read as empty): the command decides whether that is an error. */
  readonly missing: MissingField[] = [];

  constructor(rules: Rules, env: ClassifierEnv) {
    this.rules = rules;
    this.env = env;
    this.stageIndex = new Map(rules.stages.map((s, i) => [s.id, i]));
    this.memo = new Int8Array(rules.stages.length);
    const missing = this.missing;
    const used = new Set<number>();
    const self = this;
    const cenv: CompileEnv = {
      asOf: env.asOf,
      timezone: rules.activities.timezone,
      dateOrder: env.dateOrder,
      plan: env.plan,
      aggs: env.aggs,
      column(field) {
        const name = rules.fields.get(field) ?? field;
        const m = findColumn(env.headers, name);
        if (m.index !== -1) used.add(m.index);
        if (m.index === -1 && !missing.some((x) => x.field === field)) missing.push({ field, column: name, named: rules.fields.has(field), ambiguous: m.ambiguous });
        return { index: m.index, name: m.name ?? name };
      },
      stage(id) {
        const i = self.stageIndex.get(id)!;
        return { test: (ctx) => self.stageHolds(i, ctx), explain: (ctx) => self.explainStage(i, ctx) };
      },
      fitExplain: (ctx) =>
        self.fit
          .filter((f) => f.when.test(ctx))
          .map((f) => reasonOf(f.when.explain(ctx)))
          .join(', '),
      personaExplain: (ctx) => {
        if (!self.persona) return '';
        const e = self.persona.explain(ctx);
        return reasonOf(e) || e.evidence;
      },
      consentExplain: (ctx) => {
        if (!self.consent) return 'no consent rule';
        const e = self.consent.explain(ctx);
        return e.held ? reasonOf(e) : e.evidence;
      },
    };
    this.fit = rules.scoring.fit.map((f) => ({ when: compileCond(f.when, cenv), points: f.points }));
    this.persona = rules.persona ? compileCond(rules.persona, cenv) : undefined;
    this.consent = rules.consent ? compileCond(rules.consent.when, cenv) : undefined;
    this.disqualify = rules.disqualify.map((d) => ({ id: d.id, when: compileCond(d.when, cenv), action: d.action ?? 'exclude', content: d.content ?? 'none' }));
    this.stageConds = rules.stages.map((s) => (s.when ? compileCond(s.when, cenv) : undefined));
    this.columns = [...used].sort((a, b) => a - b);
  }

  get stages(): readonly Stage[] {
    return this.rules.stages;
  }

  private stageHolds(i: number, ctx: Ctx): boolean {
    const memo = ctx.stageMemo[i];
    if (memo) return memo === 1;
    const cond = this.stageConds[i];
    const held = cond ? cond.test(ctx) : true;
    ctx.stageMemo[i] = held ? 1 : 2;
    return held;
  }

  private explainStage(i: number, ctx: Ctx): Explained {
    const cond = this.stageConds[i];
    return cond ? cond.explain(ctx) : { kind: 'always', held: true, text: 'always', evidence: 'first stage' };
  }

  /** The context of a contact: fit, persona and consent are computed up front, as every row reports them. */
  private context(values: readonly string[], slot: number, warnings: string[]): Ctx {
    // One memo for every contact: contexts are used one at a time.
    this.memo.fill(0);
    const ctx: Ctx = { values, slot, fit: 0, persona: true, consent: true, stageMemo: this.memo, warnings };
    let fit = 0;
    for (const f of this.fit) if (f.when.test(ctx)) fit += f.points;
    ctx.fit = fit;
    // The order the rules loader enforces: fit, then consent, then persona (which may test consent).
    ctx.consent = this.consent ? this.consent.test(ctx) : true;
    ctx.persona = this.persona ? this.persona.test(ctx) : true;
    return ctx;
  }

  /**
   * Classifies one contact. `floor` is the least mature stage it may get (its previous stage, when stages
   * must not move backward); `warnings` receives row problems and is returned in the verdict.
   */
  classify(values: readonly string[], slot: number, warnings: string[] = [], floor = 0): Verdict {
    const ctx = this.context(values, slot, warnings);
    const score = this.env.aggs.scoreOf(slot);
    for (const d of this.disqualify) {
      if (d.when.test(ctx)) {
        const reason = `${DISQUALIFIED}: ${d.id} (${reasonOf(d.when.explain(ctx))})`;
        return { stage: DISQUALIFIED, stageIndex: -1, disqualifiedBy: d.id, score, fit: ctx.fit, persona: ctx.persona, consent: ctx.consent, content: d.content, action: d.action, reason, warnings: ctx.warnings };
      }
    }
    const stages = this.rules.stages;
    let chosen = 0;
    for (let i = stages.length - 1; i > 0; i--) {
      if (this.stageHolds(i, ctx)) {
        chosen = i;
        break;
      }
    }
    let reason: string;
    if (chosen < floor) {
      reason = `${stages[floor]!.id}: kept from the previous run (stages do not move backward); now ${chosen === 0 ? `only ${stages[0]!.id}` : `${stages[chosen]!.id}: ${reasonOf(this.explainStage(chosen, ctx))}`}`;
      chosen = floor;
    } else {
      reason = chosen === 0 ? `${stages[0]!.id}: no rule of a later stage holds` : `${stages[chosen]!.id}: ${reasonOf(this.explainStage(chosen, ctx))}`;
    }
    const stage = stages[chosen]!;
    const action = !ctx.consent && stage.needsConsent && this.rules.consent ? this.rules.consent.action : stage.action;
    return { stage: stage.id, stageIndex: chosen, score, fit: ctx.fit, persona: ctx.persona, consent: ctx.consent, content: stage.content, action, reason, warnings: ctx.warnings };
  }

  explain(values: readonly string[], slot: number, floor = 0): Explanation {
    const warnings: string[] = [];
    const verdict = this.classify(values, slot, warnings, floor);
    const ctx = this.context(values, slot, []);
    return {
      fit: { total: ctx.fit, rules: this.fit.map((f) => ({ points: f.points, explained: f.when.explain(ctx) })) },
      persona: this.persona?.explain(ctx),
      consent: this.consent?.explain(ctx),
      disqualify: this.disqualify.map((d) => ({ id: d.id, explained: d.when.explain(ctx) })),
      stages: this.rules.stages.map((s, i) => ({ id: s.id, label: s.label, explained: this.stageConds[i]?.explain(ctx) })),
      verdict,
    };
  }
}
