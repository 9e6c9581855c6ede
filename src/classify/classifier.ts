/**
 * One contact in, one verdict out: disqualification first, then the most mature stage whose condition holds,
 * with score, fit, persona, consent, content, action and the evidence why.
 */
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Aggregates } from '../aggregate/store.js';
import type { DateOrder } from '../values/dates.js';
import { findColumn } from '../values/headers.js';
import { DISQUALIFIED, fieldColumn, type Rules, type Stage } from '../rules/model.js';
import { compileCond, type CompiledCond, type CompileEnv } from './conditions.js';
import { DISQUALIFIED_BY, firstStageReason } from './reasons.js';
import { reasonOf, type ActivityView, type Ctx, type Explained } from './context.js';

export { DISQUALIFIED };

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
  /** Which engagement score of the aggregates is this rule set's (whatif folds two); 0 by default. */
  score?: number;
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
  /** Field conditions that hold or not whatever the moment: the replay's per-contact memo has one place each. */
  readonly fieldMemoSize: number;
  private readonly view: ActivityView;
  private readonly scratch: Ctx;
  /** The context `classify` fills for each contact (nothing keeps it past the verdict). */
  private readonly current: Ctx;
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
    let memoSlots = 0;
    const cenv: CompileEnv = {
      memoSlot: () => memoSlots++,
      timezone: rules.activities.timezone,
      dateOrder: env.dateOrder,
      plan: env.plan,
      column(field) {
        const name = fieldColumn(rules, field);
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
    this.disqualify = rules.disqualify.map((d) => ({ id: d.id, when: compileCond(d.when, cenv), action: d.action, content: d.content }));
    this.stageConds = rules.stages.map((s) => (s.when ? compileCond(s.when, cenv) : undefined));
    this.columns = [...used].sort((a, b) => a - b);
    this.fieldMemoSize = memoSlots;
    this.view = { counts: env.aggs.counts, last: env.aggs.last, lastSignal: env.aggs.lastSignal, base: -1, score: 0 };
    this.scratch = { values: [], slot: -1, asOf: env.asOf, act: this.view, fit: 0, persona: true, consent: true, stageMemo: this.memo, warnings: [] };
    this.current = { ...this.scratch, warnings: [] };
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

  /** The fold's aggregates as one contact's activity at the run's as-of. */
  private aggregateView(slot: number): ActivityView {
    const a = this.env.aggs;
    const v = this.view;
    // The arrays are read again: taking a slot may have replaced them since the last contact.
    v.counts = a.counts;
    v.last = a.last;
    v.lastSignal = a.lastSignal;
    v.base = slot < 0 ? -1 : slot * this.env.plan.counters.length;
    v.score = a.scoreOf(slot, this.env.score);
    return v;
  }

  /** The context of a contact: fit, persona and consent are computed up front, as every row reports them. */
  private context(values: readonly string[], slot: number, warnings: string[], act: ActivityView, asOf: number, fieldMemo?: Int8Array, into?: Ctx): Ctx {
    // One memo for every contact: contexts are used one at a time.
    this.memo.fill(0);
    const ctx: Ctx = into ?? { values, slot, asOf, act, fieldMemo, fit: 0, persona: true, consent: true, stageMemo: this.memo, warnings };
    if (into) {
      into.values = values;
      into.slot = slot;
      into.asOf = asOf;
      into.act = act;
      into.fieldMemo = fieldMemo;
      into.warnings = warnings;
    }
    let fit = 0;
    for (const f of this.fit) if (f.when.test(ctx)) fit += f.points;
    ctx.fit = fit;
    // The order the rules loader enforces: fit, then consent, then persona (which may test consent).
    ctx.consent = this.consent ? this.consent.test(ctx) : true;
    ctx.persona = this.persona ? this.persona.test(ctx) : true;
    return ctx;
  }

  /**
   * What the rules say of a context, the one decision `classify` and the replay share: the index of the most
   * mature stage whose condition holds, or -1 - i when disqualify rule i holds (disqualification comes first).
   */
  private decide(ctx: Ctx): number {
    for (let d = 0; d < this.disqualify.length; d++) if (this.disqualify[d]!.when.test(ctx)) return -1 - d;
    for (let i = this.rules.stages.length - 1; i > 0; i--) if (this.stageHolds(i, ctx)) return i;
    return 0;
  }

  /**
   * The rules' verdict on a contact as of `asOf`, with its activity as of then (the replay's moments): a stage
   * index, or -1 - i for disqualify rule i. `fieldMemo` (fieldMemoSize places, zeroed per contact) keeps the
   * verdicts of conditions on fields alone from one moment to the next.
   */
  stageAt(values: readonly string[], act: ActivityView, asOf: number, fieldMemo: Int8Array): number {
    // One context for every moment (the replay asks many): nothing keeps it past the decision.
    this.scratch.warnings.length = 0;
    return this.decide(this.context(values, -1, this.scratch.warnings, act, asOf, fieldMemo, this.scratch));
  }

  /** stageAt at the run's as-of, on the fold's aggregates: the decision `classify` makes for the contact. */
  stageAtAsOf(values: readonly string[], slot: number, fieldMemo: Int8Array): number {
    return this.decide(this.context(values, slot, [], this.aggregateView(slot), this.env.asOf, fieldMemo));
  }

  /** The id of disqualify rule i, as stageAt gives it (-1 - i). */
  disqualifierId(code: number): string {
    return this.disqualify[-1 - code]!.id;
  }

  /**
   * Classifies one contact. `floor` is the least mature stage it may get (its previous stage, when stages
   * must not move backward); `warnings` receives row problems and is returned in the verdict.
   */
  classify(values: readonly string[], slot: number, warnings: string[] = [], floor = 0, keptBy = 'kept from the previous run'): Verdict {
    const ctx = this.context(values, slot, warnings, this.aggregateView(slot), this.env.asOf, undefined, this.current);
    const score = ctx.act.score;
    const decided = this.decide(ctx);
    if (decided < 0) {
      const d = this.disqualify[-1 - decided]!;
      const reason = `${DISQUALIFIED_BY}${d.id} (${reasonOf(d.when.explain(ctx))})`;
      return { stage: DISQUALIFIED, stageIndex: -1, disqualifiedBy: d.id, score, fit: ctx.fit, persona: ctx.persona, consent: ctx.consent, content: d.content, action: d.action, reason, warnings: ctx.warnings };
    }
    const stages = this.rules.stages;
    let chosen = decided;
    let reason: string;
    if (chosen < floor) {
      reason = `${stages[floor]!.id}: ${keptBy} (stages do not move backward); now ${chosen === 0 ? `only ${stages[0]!.id}` : `${stages[chosen]!.id}: ${reasonOf(this.explainStage(chosen, ctx))}`}`;
      chosen = floor;
    } else {
      reason = chosen === 0 ? firstStageReason(stages[0]!.id) : `${stages[chosen]!.id}: ${reasonOf(this.explainStage(chosen, ctx))}`;
    }
    const stage = stages[chosen]!;
    const action = !ctx.consent && stage.needsConsent && this.rules.consent ? this.rules.consent.action : stage.action;
    return { stage: stage.id, stageIndex: chosen, score, fit: ctx.fit, persona: ctx.persona, consent: ctx.consent, content: stage.content, action, reason, warnings: ctx.warnings };
  }

  explain(values: readonly string[], slot: number, floor = 0, keptBy?: string): Explanation {
    const warnings: string[] = [];
    const verdict = this.classify(values, slot, warnings, floor, keptBy);
    const ctx = this.context(values, slot, [], this.aggregateView(slot), this.env.asOf);
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
