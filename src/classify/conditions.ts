/**
 * Conditions compiled once into closures, the twin of src/sql/conditions.ts, kind by kind. Each node has one
 * `test` (the semantics, on the hot path) and an `explain` that reuses the same tests and only adds words, so
 * reasons and `funnel explain` can never disagree with the stage that was chosen. Field operators are in
 * ./fields.ts, as in the SQL compiler.
 */
import { isoDay } from '../values/dates.js';
import type { Cond, NumCmp } from '../rules/model.js';
import type { CompileEnv, CompiledCond } from './compile-env.js';
import { fmtNum, NEGATED, SYMBOL } from './condition-text.js';
import { reasonOf, type Ctx, type Explained } from './context.js';
import { cmpHolds, compileField } from './fields.js';

export type { CompileEnv, CompiledCond } from './compile-env.js';

type Kind<K extends Cond['kind']> = Extract<Cond, { kind: K }>;

export function compileCond(cond: Cond, env: CompileEnv): CompiledCond {
  switch (cond.kind) {
    case 'all':
    case 'any':
      return compileAllAny(cond, env);
    case 'not':
      return compileNot(cond, env);
    case 'field':
      return compileField(cond, env);
    case 'activity':
      return compileActivity(cond, env);
    case 'score':
    case 'fit':
      return compileNumber(cond, env);
    case 'persona':
    case 'consent':
      return compileFlag(cond, env);
    case 'stage':
      return compileStageRef(cond, env);
  }
}

function compileAllAny(cond: Kind<'all' | 'any'>, env: CompileEnv): CompiledCond {
  const items = cond.items.map((c) => compileCond(c, env));
  const isAll = cond.kind === 'all';
  return {
    test: isAll ? (ctx) => items.every((i) => i.test(ctx)) : (ctx) => items.some((i) => i.test(ctx)),
    explain(ctx) {
      const children = items.map((i) => i.explain(ctx));
      const held = isAll ? children.every((c) => c.held) : children.some((c) => c.held);
      return { kind: cond.kind, held, text: `${cond.kind} of ${children.length}`, evidence: held ? heldEvidence(isAll, children) : failedEvidence(isAll, children), children };
    },
  };
}

/** The reason of a held `all` (its children's reasons) or `any` (its first held child's). */
function heldEvidence(isAll: boolean, children: readonly Explained[]): string {
  if (!isAll) return reasonOf(children.find((c) => c.held)!);
  return children.map(reasonOf).filter(Boolean).join('; ');
}

function failedEvidence(isAll: boolean, children: readonly Explained[]): string {
  const failed = children.filter((c) => !c.held).map((c) => c.evidence);
  return isAll ? failed.join('; ') : `none of: ${failed.join('; ')}`;
}

function compileNot(cond: Kind<'not'>, env: CompileEnv): CompiledCond {
  const item = compileCond(cond.item, env);
  return {
    test: (ctx) => !item.test(ctx),
    explain(ctx) {
      const child = item.explain(ctx);
      return { kind: 'not', held: !child.held, text: 'not', evidence: child.held ? child.evidence : `not ${child.text} (${child.evidence})`, children: [child] };
    },
  };
}

/** `score` and `fit`: the contact's number against every comparison. */
function compileNumber(cond: Kind<'score' | 'fit'>, env: CompileEnv): CompiledCond {
  const get = cond.kind === 'score' ? (ctx: Ctx) => ctx.act.score : (ctx: Ctx) => ctx.fit;
  const cmps: NumCmp[] = cond.cmps;
  const text = `${cond.kind} ${cmps.map((c) => `${SYMBOL[c.op]} ${fmtNum(c.value)}`).join(' and ')}`;
  const test = (ctx: Ctx): boolean => {
    const v = get(ctx);
    return cmps.every((c) => cmpHolds(c.op, v, c.value));
  };
  return {
    test,
    explain(ctx) {
      const v = get(ctx);
      const held = test(ctx);
      const shown = cmps.map((c) => `${cmpHolds(c.op, v, c.value) ? SYMBOL[c.op] : NEGATED[c.op]}${fmtNum(c.value)}`).join(',');
      let evidence = `${cond.kind} ${fmtNum(v)}${shown}`;
      if (cond.kind === 'fit') {
        const why = env.fitExplain(ctx);
        if (why) evidence += `: ${why}`;
      }
      return { kind: cond.kind, held, text, evidence };
    },
  };
}

/** `persona` and `consent`: the fact computed before the stages, as wanted. */
function compileFlag(cond: Kind<'persona' | 'consent'>, env: CompileEnv): CompiledCond {
  const want = cond.value;
  const get = cond.kind === 'persona' ? (ctx: Ctx) => ctx.persona : (ctx: Ctx) => ctx.consent;
  const why = cond.kind === 'persona' ? env.personaExplain : env.consentExplain;
  return {
    test: (ctx) => get(ctx) === want,
    explain(ctx) {
      const v = get(ctx);
      const detail = why(ctx);
      const word = v ? cond.kind : `no ${cond.kind}`;
      return { kind: cond.kind, held: v === want, text: `${cond.kind}: ${want}`, evidence: detail ? `${word} (${detail})` : word };
    },
  };
}

function compileStageRef(cond: Kind<'stage'>, env: CompileEnv): CompiledCond {
  const id = cond.id;
  return {
    test: (ctx) => env.stage(id).test(ctx),
    explain(ctx) {
      // One level of evidence: a chain of stages naming the ones before would otherwise explain each
      // earlier stage once per path to it — exponential in time and in the length of funnel_reason.
      if (ctx.inStageRef) {
        const held = env.stage(id).test(ctx);
        return { kind: 'stage', held, text: `stage ${id}`, evidence: held ? id : `not ${id}` };
      }
      ctx.inStageRef = true;
      let inner: Explained;
      try {
        inner = env.stage(id).explain(ctx);
      } finally {
        ctx.inStageRef = false;
      }
      return { kind: 'stage', held: inner.held, text: `stage ${id}`, evidence: inner.held ? `${id} (${reasonOf(inner)})` : `not ${id} (${inner.evidence})`, children: [inner] };
    },
  };
}

/** `activity`: the fold's counter of its signals × window, in the bounds of `count`. */
function compileActivity(cond: Kind<'activity'>, env: CompileEnv): CompiledCond {
  const counter = env.plan.counterOf.get(cond)!;
  const { gte, lte } = cond.count;
  const names = cond.signals.join('|');
  const window = cond.within ? ` within ${cond.within.text}` : cond.since ? ` since ${cond.since.text}` : '';
  const countText = gte === 1 && lte === undefined ? '' : ` count ${[gte !== undefined ? `≥${gte}` : '', lte !== undefined ? `≤${lte}` : ''].filter(Boolean).join(',')}`;
  const text = `activity ${names}${window}${countText}`;
  const count = (ctx: Ctx): number => (ctx.act.base < 0 ? 0 : ctx.act.counts[ctx.act.base + counter]!);
  const test = (ctx: Ctx): boolean => {
    const n = count(ctx);
    return (gte === undefined || n >= gte) && (lte === undefined || n <= lte);
  };
  return {
    test,
    explain(ctx) {
      const held = test(ctx);
      const n = count(ctx);
      let evidence: string;
      if (n === 0) evidence = `no ${names}${window}`;
      else {
        const i = ctx.act.base + counter;
        const last = ctx.act.last[i]!;
        const sig = Number.isNaN(last) ? names : env.plan.signals[ctx.act.lastSignal[i]!]!;
        evidence = `${sig} ${Number.isNaN(last) ? '(undated)' : isoDay(last, env.timezone)}${window}${n > 1 ? ` (${n} events)` : ''}`;
        if (!held) evidence += ` — needs${countText}`;
      }
      return { kind: 'activity', held, text, evidence };
    },
  };
}
