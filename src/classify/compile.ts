/**
 * Conditions compiled once into closures. Each node has one `test` (the semantics, on the hot path) and an
 * `explain` that reuses the same tests and only adds words, so reasons and `funnel explain` can never
 * disagree with the stage that was chosen.
 */
import { isoDay, parseDate, type DateOrder } from '../values/dates.js';
import { parseNumber } from '../values/numbers.js';
import type { ActivityPlan } from '../aggregate/plan.js';
import type { Cond, FieldOp, NumCmp, Scalar } from '../rules/model.js';
import { norm } from '../util/text.js';
import { addWarning, reasonOf, type Ctx, type Explained } from './context.js';

export interface CompiledCond {
  test(ctx: Ctx): boolean;
  explain(ctx: Ctx): Explained;
}

export interface CompileEnv {
  timezone: string;
  /** Order of ambiguous slash dates in contact fields; undefined leaves them unparsable. */
  dateOrder?: DateOrder;
  plan: ActivityPlan;
  /** The next index in Ctx.fieldMemo, for a field condition whose verdict does not change with time. */
  memoSlot(): number;
  /** Column index of a field (friendly name or column), -1 when the contacts have no such column. */
  column(field: string): { index: number; name: string };
  stage(id: string): { test(ctx: Ctx): boolean; explain(ctx: Ctx): Explained };
  fitExplain(ctx: Ctx): string;
  personaExplain(ctx: Ctx): string;
  consentExplain(ctx: Ctx): string;
}

/**
 * The longest value `matches` tests. A pattern that backtracks too long is rerun on V8's linear engine, linear
 * but slow (about a microsecond a character): a 32 MB value would block the run, signals included, for half a
 * minute; 100,000 characters take a tenth of a second at worst.
 */
export const MATCHES_MAX_CHARS = 100_000;

const SYMBOL: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', equals: '=', not_equals: '≠' };
const NEGATED: Record<string, string> = { gt: '≤', gte: '<', lt: '≥', lte: '>', equals: '≠', not_equals: '=' };

function cmpHolds(op: string, a: number, b: number): boolean {
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'equals':
      return a === b;
    case 'not_equals':
      return a !== b;
  }
  return false;
}

function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 10) / 10);
}

function listText(values: readonly Scalar[]): string {
  return `[${values.map(String).join(', ')}]`;
}

function opText(op: FieldOp): string {
  switch (op.op) {
    case 'equals':
    case 'not_equals':
    case 'contains':
      return `${op.op} ${String(op.value)}`;
    case 'in':
    case 'not_in':
    case 'domain_in':
      return `${op.op} ${listText(op.values)}`;
    case 'matches':
      return `matches /${op.source}/`;
    case 'present':
      return op.value ? 'present' : 'absent';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${SYMBOL[op.op]} ${op.date ?? fmtNum(op.value)}`;
    case 'before':
    case 'after':
      return `${op.op} ${op.date}`;
    case 'within':
      return `within ${op.text}`;
  }
}

/** A rule value prepared once: its folded text, and its number when it is one. */
interface Target {
  text: string;
  num?: number;
}

function target(x: Scalar): Target {
  return typeof x === 'number' ? { text: norm(String(x)), num: x } : { text: norm(String(x)) };
}

function scalarEquals(value: string, t: Target): boolean {
  if (t.num !== undefined) {
    const n = parseNumber(value);
    if (!Number.isNaN(n)) return n === t.num;
  }
  return norm(value) === t.text;
}

function anyEquals(value: string, ts: readonly Target[]): boolean {
  const folded = norm(value);
  for (const t of ts) {
    if (t.num !== undefined) {
      const n = parseNumber(value);
      if (!Number.isNaN(n) && n === t.num) return true;
      if (!Number.isNaN(n)) continue;
    }
    if (folded === t.text) return true;
  }
  return false;
}

/** `mail@sub.rival.example`, `https://www.rival.example/about` or `rival.example` → the domain. */
function domainOf(value: string): string {
  const v = value.trim().toLowerCase();
  const at = v.lastIndexOf('@');
  if (at !== -1) return v.slice(at + 1);
  return v.replace(/^[a-z]+:\/\//, '').replace(/^www\./, '').replace(/[/?#:].*$/, '');
}

/** A `domain_in` value prepared once: the domain, and the suffix its subdomains end with. */
function wantedDomain(value: string): { domain: string; suffix: string } {
  const domain = value.trim().toLowerCase().replace(/^@/, '');
  return { domain, suffix: `.${domain}` };
}

export function compileCond(cond: Cond, env: CompileEnv): CompiledCond {
  switch (cond.kind) {
    case 'all':
    case 'any': {
      const items = cond.items.map((c) => compileCond(c, env));
      const isAll = cond.kind === 'all';
      return {
        test: isAll ? (ctx) => items.every((i) => i.test(ctx)) : (ctx) => items.some((i) => i.test(ctx)),
        explain(ctx) {
          const children = items.map((i) => i.explain(ctx));
          const held = isAll ? children.every((c) => c.held) : children.some((c) => c.held);
          const failed = children.filter((c) => !c.held).map((c) => c.evidence);
          return {
            kind: cond.kind,
            held,
            text: `${cond.kind} of ${children.length}`,
            evidence: held ? reasonOf({ kind: cond.kind, held, text: '', evidence: '', children }) : isAll ? failed.join('; ') : `none of: ${failed.join('; ')}`,
            children,
          };
        },
      };
    }
    case 'not': {
      const item = compileCond(cond.item, env);
      return {
        test: (ctx) => !item.test(ctx),
        explain(ctx) {
          const child = item.explain(ctx);
          return { kind: 'not', held: !child.held, text: 'not', evidence: child.held ? child.evidence : `not ${child.text} (${child.evidence})`, children: [child] };
        },
      };
    }
    case 'field':
      return compileField(cond, env);
    case 'activity':
      return compileActivity(cond, env);
    case 'score':
    case 'fit': {
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
    case 'persona':
    case 'consent': {
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
    case 'stage': {
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
  }
}

function compileField(cond: Extract<Cond, { kind: 'field' }>, env: CompileEnv): CompiledCond {
  const col = env.column(cond.field);
  const index = col.index;
  const colName = col.name;
  const { timezone } = env;

  const number = (ctx: Ctx, v: string): number => {
    const n = parseNumber(v);
    if (Number.isNaN(n)) addWarning(ctx, `unparsable number in ${colName}: '${v.trim()}'`);
    return n;
  };
  const date = (ctx: Ctx, v: string): number => {
    const t = parseDate(v, timezone, env.dateOrder);
    if (Number.isNaN(t)) addWarning(ctx, `unparsable date in ${colName}: '${v.trim()}'`);
    return t;
  };

  const opTest = (op: FieldOp): ((ctx: Ctx, v: string, empty: boolean) => boolean) => {
    switch (op.op) {
      case 'equals': {
        const t = target(op.value);
        return (_c, v, empty) => !empty && scalarEquals(v, t);
      }
      case 'not_equals': {
        const t = target(op.value);
        return (_c, v, empty) => empty || !scalarEquals(v, t);
      }
      case 'in': {
        const ts = op.values.map(target);
        return (_c, v, empty) => !empty && anyEquals(v, ts);
      }
      case 'not_in': {
        const ts = op.values.map(target);
        return (_c, v, empty) => empty || !anyEquals(v, ts);
      }
      case 'contains': {
        const needle = norm(String(op.value));
        return (_c, v, empty) => !empty && norm(v).includes(needle);
      }
      case 'matches':
        return (c, v, empty) => {
          if (empty) return false;
          const t = v.trim();
          if (t.length > MATCHES_MAX_CHARS) {
            addWarning(c, `${colName} has ${t.length} characters, more than matches reads (${MATCHES_MAX_CHARS.toLocaleString('en-US')}): read as not matching`);
            return false;
          }
          return op.regex.test(t);
        };
      case 'present':
        return (_c, _v, empty) => (op.value ? !empty : empty);
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const read = op.date !== undefined ? date : number;
        return (c, v, empty) => {
          if (empty) return false;
          const x = read(c, v);
          return !Number.isNaN(x) && cmpHolds(op.op, x, op.value);
        };
      }
      case 'before':
        return (c, v, empty) => {
          if (empty) return false;
          const t = date(c, v);
          return t < op.value;
        };
      case 'after':
        return (c, v, empty) => {
          if (empty) return false;
          const t = date(c, v);
          return t > op.value;
        };
      case 'within':
        return (c, v, empty) => {
          if (empty) return false;
          const t = date(c, v);
          return t >= c.asOf - op.ms && t <= c.asOf;
        };
      case 'domain_in': {
        const wanted = op.values.map((x) => wantedDomain(String(x)));
        return (_c, v, empty) => {
          if (empty) return false;
          const d = domainOf(v);
          for (const w of wanted) if (d === w.domain || d.endsWith(w.suffix)) return true;
          return false;
        };
      }
    }
  };
  const tests = cond.ops.map(opTest);
  const raw = (ctx: Ctx): boolean => {
    const v = index < 0 ? '' : (ctx.values[index] ?? '');
    const empty = v.trim() === '';
    for (const t of tests) if (!t(ctx, v, empty)) return false;
    return true;
  };
  // A field's verdict only changes with the moment through a window; else the replay asks it once per contact.
  const memo = cond.ops.some((o) => o.op === 'within') ? -1 : env.memoSlot();
  const test =
    memo < 0
      ? raw
      : (ctx: Ctx): boolean => {
          const m = ctx.fieldMemo;
          if (m === undefined) return raw(ctx);
          const known = m[memo]!;
          if (known !== 0) return known === 1;
          const held = raw(ctx);
          m[memo] = held ? 1 : 2;
          return held;
        };
  const text = `${cond.field} ${cond.ops.map(opText).join(' and ')}`;
  return {
    test,
    explain(ctx) {
      const held = test(ctx);
      const v = index < 0 ? '' : (ctx.values[index] ?? '').trim();
      let evidence: string;
      if (index < 0) evidence = `no column ${colName}`;
      else if (v === '') evidence = `${colName} empty`;
      else {
        const cmp = cond.ops.find((o) => o.op === 'gt' || o.op === 'gte' || o.op === 'lt' || o.op === 'lte');
        if (cmp && cmp.op !== 'within' && 'value' in cmp && typeof cmp.value === 'number') {
          const ok = opTest(cmp)({ ...ctx, warnings: [] }, v, false);
          const shownLimit = 'date' in cmp && cmp.date !== undefined ? cmp.date : fmtNum(cmp.value);
          evidence = `${colName}=${v}${ok ? SYMBOL[cmp.op] : NEGATED[cmp.op]}${shownLimit}`;
        } else if (cond.ops.some((o) => o.op === 'domain_in')) {
          evidence = `${colName} domain ${domainOf(v)}`;
        } else if (cond.ops.some((o) => o.op === 'within' || o.op === 'before' || o.op === 'after')) {
          const t = parseDate(v, timezone, env.dateOrder);
          const w = cond.ops.find((o) => o.op === 'within');
          evidence = `${colName}=${Number.isNaN(t) ? v : isoDay(t, timezone)}${w && w.op === 'within' ? (held ? ` within ${w.text}` : ` not within ${w.text}`) : ''}`;
        } else evidence = `${colName}=${v}`;
      }
      return { kind: 'field', held, text, evidence };
    },
  };
}

function compileActivity(cond: Extract<Cond, { kind: 'activity' }>, env: CompileEnv): CompiledCond {
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
