/**
 * Condition parsing: a YAML condition (`all`, `any`, `not` or one atom) read into the model's `Cond`, every
 * problem reported at its position. The kinds, operators and their value shapes are grammar.ts's; what depends
 * on where a condition stands (the order fit → consent → persona → stages) is checked here by its scope.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { compileUserRegex } from './regex.js';
import { parseDate } from '../values/dates.js';
import { closest, snakeCase } from '../util/text.js';
import { entryMap, type Checker, type Entry, type Timed } from './checker.js';
import { ACTIVITY_OPTIONS, CONDITION_KINDS, COUNT_KEYS, FIELD_OPS as FIELD_OP_SHAPES, NUM_OPS as NUM_OP_LIST } from './grammar.js';
import type { Cond, FieldOp, NumCmp, NumOp, Pos } from './model.js';

/** Where a condition stands: what it may test depends on what is computed before it. */
export type Scope = 'stage' | 'disqualify' | 'persona' | 'consent' | 'fit';

/** A `stage:` reference, for the unknown-stage and cycle checks once every stage is read. */
export interface StageRef {
  id: string;
  node: Node | null;
  /** The stage whose condition holds the reference; none in a disqualify rule. */
  from?: string;
}

export interface CondContext {
  c: Checker;
  tz: string;
  stageRefs: StageRef[];
  currentStage?: string;
}

const COND_KINDS = Object.keys(CONDITION_KINDS);
const FIELD_OPS = Object.keys(FIELD_OP_SHAPES);
const ACTIVITY_KEYS = ['activity', ...Object.keys(ACTIVITY_OPTIONS)];
const NUM_OPS: readonly NumOp[] = NUM_OP_LIST;
const STARTS_WITH = `a condition starts with one of: ${COND_KINDS.join(', ')}`;

/** What an atom's parser is given: its entries, the kind's own entry, the condition's node and position. */
interface Atom {
  cx: CondContext;
  entries: Entry[];
  head: Entry;
  node: Node | null;
  pos: Pos;
  scope: Scope;
  where: string;
}

export function parseCond(cx: CondContext, node: Node | null, scope: Scope, where: string): Cond | undefined {
  const { c } = cx;
  c.condition(node);
  const entries = c.entries(node, `a condition in ${where}`);
  if (!entries) return undefined;
  const kinds = entries.filter((e) => COND_KINDS.includes(e.key));
  if (kinds.length === 0) {
    for (const e of entries) {
      const guess = closest(e.key, [...COND_KINDS, ...FIELD_OPS]);
      c.error(e.keyNode, `unknown condition '${e.key}' in ${where}`, guess ? `did you mean '${guess}'?` : STARTS_WITH);
    }
    if (entries.length === 0) c.error(node, `empty condition in ${where}`, STARTS_WITH);
    return undefined;
  }
  if (kinds.length > 1) {
    return c.error(kinds[1]!.keyNode, `one condition mixes '${kinds[0]!.key}' and '${kinds[1]!.key}'`, 'combine conditions with all: [ {…}, {…} ]');
  }
  const atom: Atom = { cx, entries, head: kinds[0]!, node, pos: c.pos(node), scope, where };
  return PARSERS[atom.head.key]?.(atom);
}

const PARSERS: Readonly<Record<string, (a: Atom) => Cond | undefined>> = {
  all: parseList,
  any: parseList,
  not: parseNot,
  field: parseField,
  activity: parseActivity,
  score: parseNumeric,
  fit: parseNumeric,
  persona: parseComputed,
  consent: parseComputed,
  stage: parseStageRef,
};

function parseList({ cx, entries, head, pos, scope, where }: Atom): Cond | undefined {
  const { c } = cx;
  const kind = head.key as 'all' | 'any';
  c.keys(entries, [kind], `'${kind}'`);
  const seq = c.resolve(head.value);
  if (!isSeq(seq) || seq.items.length === 0) return c.error(head.value ?? head.keyNode, `'${kind}' needs a non-empty list of conditions`);
  const items: Cond[] = [];
  let ok = true;
  for (const item of seq.items) {
    const sub = parseCond(cx, item as Node, scope, where);
    if (sub) items.push(sub);
    else ok = false;
  }
  return ok ? { kind, items, pos } : undefined;
}

function parseNot({ cx, entries, head, pos, scope, where }: Atom): Cond | undefined {
  cx.c.keys(entries, ['not'], `'not'`);
  const item = parseCond(cx, head.value, scope, where);
  return item ? { kind: 'not', item, pos } : undefined;
}

function parseField({ cx, entries, head, node, pos }: Atom): Cond | undefined {
  const { c } = cx;
  c.keys(entries, ['field', ...FIELD_OPS], `a field condition`);
  const field = c.string(head.value, `'field'`);
  const ops: FieldOp[] = [];
  const opEntries = entries.filter((e) => e.key !== 'field' && FIELD_OPS.includes(e.key));
  for (const e of opEntries) {
    const op = parseFieldOp(cx, e);
    if (op) ops.push(op);
  }
  if (opEntries.length === 0 && entries.every((e) => e.key === 'field')) {
    return c.error(node, `field condition on '${field ?? '?'}' has no operator`, `add one of: ${FIELD_OPS.join(', ')}`);
  }
  return field !== undefined && ops.length === opEntries.length ? { kind: 'field', field, ops, pos } : undefined;
}

function parseActivity({ cx, entries, head, pos }: Atom): Cond | undefined {
  const { c } = cx;
  c.keys(entries, ACTIVITY_KEYS, `an activity condition`);
  const signals = c.scalars(head.value, `'activity'`)?.map((s) => snakeCase(String(s)));
  if (signals?.some((s) => s === '')) return c.error(head.value, `'activity' names an empty signal`);
  const m = entryMap(entries);
  const w = m.get('within');
  const s = m.get('since');
  const cnt = m.get('count');
  const within = w ? (c.typed(w.value, ACTIVITY_OPTIONS.within!, `'within'`) as Timed | undefined) : undefined;
  const since = s ? (c.typed(s.value, ACTIVITY_OPTIONS.since!, `'since'`, cx.tz) as Timed | undefined) : undefined;
  const count = cnt ? parseCount(c, cnt) : { gte: 1 };
  if (!signals || (w && !within) || (s && !since) || !count) return undefined;
  return { kind: 'activity', signals, within, since, count, pos };
}

/** `count: N` (at least N) or `count: { gte: N, lte: M }`: whole numbers ≥ 0; `undefined` when one is not. */
function parseCount(c: Checker, cnt: Entry): { gte?: number; lte?: number } | undefined {
  const cv = c.resolve(cnt.value);
  const whole = (n: number | undefined): n is number => n !== undefined && n >= 0 && Number.isInteger(n);
  if (!isMap(cv)) {
    const n = c.number(cv, `'count'`);
    if (whole(n)) return { gte: n };
    if (n !== undefined) c.error(cv, `'count' must be a whole number ≥ 0`, 'count: 3 means at least three; count: { gte: 1, lte: 5 } for a range');
    return undefined;
  }
  const ce = c.entries(cv, `'count'`) ?? [];
  c.keys(ce, COUNT_KEYS, `'count'`);
  const count: { gte?: number; lte?: number } = {};
  let ok = true;
  for (const e of ce) {
    if (e.key !== 'gte' && e.key !== 'lte') continue;
    const n = c.number(e.value, `count ${e.key}`);
    if (whole(n)) count[e.key] = n;
    else {
      if (n !== undefined) c.error(e.value, `count ${e.key} must be a whole number ≥ 0`);
      ok = false;
    }
  }
  return ok ? count : undefined;
}

function parseNumeric({ cx, entries, head, pos, scope }: Atom): Cond | undefined {
  const { c } = cx;
  const kind = head.key as 'score' | 'fit';
  c.keys(entries, [kind], `'${kind}'`);
  if (kind === 'fit' && scope === 'fit') return c.error(head.keyNode, `a fit rule cannot test 'fit'`, 'fit is the sum of the fit rules');
  const cmps = numCmps(c, head.value, `'${kind}'`);
  return cmps ? { kind, cmps, pos } : undefined;
}

function numCmps(c: Checker, node: Node | null, what: string): NumCmp[] | undefined {
  const entries = c.entries(node, `${what}`);
  if (!entries) return undefined;
  c.keys(entries, NUM_OPS, what);
  const out: NumCmp[] = [];
  for (const e of entries) {
    if (!NUM_OPS.includes(e.key as NumOp)) continue;
    const v = c.number(e.value, `${what} ${e.key}`);
    if (v !== undefined) out.push({ op: e.key as NumOp, value: v });
  }
  if (out.length === 0 && entries.length === 0) return c.error(node, `${what} needs a comparison such as { gte: 30 }`);
  return out;
}

/** `persona` and `consent`, computed in this order: fit, consent, persona; each may use only what comes before it. */
function parseComputed({ cx, entries, head, pos, scope }: Atom): Cond | undefined {
  const { c } = cx;
  const kind = head.key as 'persona' | 'consent';
  c.keys(entries, [kind], `'${kind}'`);
  if (kind === 'persona' && (scope === 'persona' || scope === 'fit' || scope === 'consent')) {
    return c.error(head.keyNode, `'persona' cannot be used inside ${scope === 'fit' ? 'a fit rule' : scope}`, scope === 'persona' ? 'it would depend on itself' : 'persona is computed after fit and consent');
  }
  if (kind === 'consent' && (scope === 'consent' || scope === 'fit')) {
    return c.error(head.keyNode, `'consent' cannot be used inside ${scope === 'fit' ? 'a fit rule' : 'consent'}`, scope === 'consent' ? 'it would depend on itself' : 'consent is computed after fit');
  }
  const v = c.boolean(head.value, `'${kind}'`);
  return v === undefined ? undefined : { kind, value: v, pos };
}

function parseStageRef({ cx, entries, head, pos, scope }: Atom): Cond | undefined {
  const { c } = cx;
  c.keys(entries, ['stage'], `'stage'`);
  if (scope !== 'stage' && scope !== 'disqualify') return c.error(head.keyNode, `'stage' can only be used in stages and disqualify rules`, 'persona, consent and fit are computed before stages');
  const id = c.string(head.value, `'stage'`);
  if (id === undefined) return undefined;
  cx.stageRefs.push({ id, node: head.value, from: cx.currentStage });
  return { kind: 'stage', id, pos };
}

function parseFieldOp(cx: CondContext, e: Entry): FieldOp | undefined {
  if (e.key === 'matches') return parseMatches(cx.c, e);
  if (e.key === 'gt' || e.key === 'gte' || e.key === 'lt' || e.key === 'lte') return parseOrdered(cx, e, e.key);
  // The other operators take a value of their declared shape.
  const shape = FIELD_OP_SHAPES[e.key]!;
  const v = cx.c.typed(e.value, shape, `'${e.key}'`, cx.tz);
  if (v === undefined) return undefined;
  const op = e.key as never;
  switch (shape.type) {
    case 'scalar':
    case 'boolean':
      return { op, value: v } as FieldOp;
    case 'scalars':
      return { op, values: v } as FieldOp;
    case 'date':
      return { op, value: (v as Timed).ms, date: (v as Timed).text } as FieldOp;
    case 'duration':
      return { op, ms: (v as Timed).ms, text: (v as Timed).text } as FieldOp;
  }
  return undefined;
}

function parseMatches(c: Checker, e: Entry): FieldOp | undefined {
  const source = c.string(e.value, `'matches'`);
  if (source === undefined) return undefined;
  try {
    const r = compileUserRegex(source);
    if ('problem' in r) return c.error(e.value, `matches /${source}/ uses ${r.problem}, which cannot be matched in bounded time`, r.hint);
    return { op: 'matches', regex: r.regex, source };
  } catch (err) {
    return c.error(e.value, `invalid regular expression /${source}/ (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`, 'check brackets and escape special characters with \\');
  }
}

/** `gt` `gte` `lt` `lte`: a number, or a date (compared as a date). */
function parseOrdered(cx: CondContext, e: Entry, op: 'gt' | 'gte' | 'lt' | 'lte'): FieldOp | undefined {
  const node = cx.c.resolve(e.value);
  if (isScalar(node) && typeof node.value === 'number') return { op, value: node.value };
  if (isScalar(node) && typeof node.value === 'string') {
    const ms = parseDate(node.value, cx.tz, 'dmy');
    if (!Number.isNaN(ms)) return { op, value: ms, date: node.value.trim() };
  }
  return cx.c.error(e.value, `'${op}' needs a number or a date`, 'for example gte: 50 or gte: 2026-01-01');
}
