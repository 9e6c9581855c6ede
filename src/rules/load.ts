/**
 * Reads a rules file and validates it completely: every problem is collected with its line and column in
 * the YAML source, so a marketer fixes them all in one go. The result is the plain `Rules` model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isAlias, type Document, type Node, type Pair } from 'yaml';
import { parseDuration, DURATION_HINT } from './duration.js';
import { compileUserRegex } from './regex.js';
import { parseDate } from '../values/dates.js';
import { closest, norm, snakeCase } from '../util/text.js';
import { DEFAULT_CONSENT_ACTION, DEFAULT_DISQUALIFY_ACTION, DEFAULT_DISQUALIFY_CONTENT, type Cond, type FieldOp, type NumCmp, type NumOp, type Pos, type Rules, type Scalar, type Sla, type Stage } from './model.js';
import { ACTIVITIES, ACTIVITY_OPTIONS, CONDITION_KINDS, CONSENT, CONTACTS, COUNT_KEYS, DISQUALIFIER, FIELD_OPS as FIELD_OP_SHAPES, FIT_RULE, NUM_OPS as NUM_OP_LIST, RULES_FILE, SCORING, SLA, STAGE, keysOf, shapeOf, type Shape } from './grammar.js';

export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

export interface LoadResult {
  rules?: Rules;
  problems: Problem[];
}

/** The built-in rules are the example file shipped with the package, so the two cannot drift apart. */
export const BUILTIN_RULES_PATH = fileURLToPath(new URL('../../rules.example.yaml', import.meta.url));

type Scope = 'stage' | 'disqualify' | 'persona' | 'consent' | 'fit';

// The keys, operators and value types are declared in grammar.ts, which `funnel schema` is generated from.
const TOP_KEYS = keysOf(RULES_FILE);
const CONTACTS_KEYS = keysOf(CONTACTS);
const ACTIVITIES_KEYS = keysOf(ACTIVITIES);
const SCORING_KEYS = keysOf(SCORING);
const STAGE_KEYS = keysOf(STAGE);
const SLA_KEYS = keysOf(SLA);
const DISQUALIFY_KEYS = keysOf(DISQUALIFIER);
const COND_KINDS = Object.keys(CONDITION_KINDS);
const FIELD_OPS = Object.keys(FIELD_OP_SHAPES);
const ACTIVITY_KEYS = ['activity', ...Object.keys(ACTIVITY_OPTIONS)];
const NUM_OPS: readonly NumOp[] = NUM_OP_LIST;

/** `a or b`, `a, b or c`. */
function orList(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** The allowed values of a text key with an enumeration. */
function enumOf(parent: Shape, key: string): readonly string[] {
  const s = shapeOf(parent, key);
  return s.type === 'text' && s.enum ? s.enum : [];
}
const STAGE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

interface Entry {
  key: string;
  keyNode: Node | null;
  value: Node | null;
}

/**
 * Bounds against YAML alias bombs (a few hundred bytes of nested aliases standing for 10⁹ conditions): the
 * characters that alias expansion may add to what is checked, and the conditions one rules file may hold.
 */
export const MAX_ALIAS_EXPANSION = 100_000;
export const MAX_CONDITIONS = 10_000;

/** Thrown where a bound is crossed: the check stops there with this one problem. */
class RulesTooLarge extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

class Checker {
  readonly problems: Problem[] = [];
  private expanded = 0;
  private conditions = 0;
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  pos(node: Node | null | undefined): Pos {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, col: 1 };
    const { line, col } = this.lc.linePos(offset);
    return { line, col };
  }

  error(node: Node | null | undefined, message: string, hint?: string): undefined {
    this.problems.push({ severity: 'error', file: this.file, ...this.pos(node), message, hint });
    return undefined;
  }

  warn(node: Node | null | undefined, message: string, hint?: string): void {
    this.problems.push({ severity: 'warning', file: this.file, ...this.pos(node), message, hint });
  }

  resolve(node: unknown): Node | null {
    if (node === null || node === undefined) return null;
    if (!isAlias(node)) return node as Node;
    const target = (node.resolve(this.doc) as Node | undefined) ?? null;
    const range = target?.range;
    this.expanded += range ? Math.max(1, range[1] - range[0]) : 1;
    if (this.expanded > MAX_ALIAS_EXPANSION) {
      this.stop(node, `YAML aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} characters of rules`, 'nested aliases multiply what they stand for; write the conditions out, or share them through { stage: id }');
    }
    return target;
  }

  /** Counts one more condition node; too many stop the check. */
  condition(node: Node | null): void {
    if (++this.conditions > MAX_CONDITIONS) this.stop(node, `the rules hold more than ${MAX_CONDITIONS.toLocaleString('en-US')} conditions`, 'nested aliases multiply what they stand for; write fewer conditions');
  }

  private stop(node: Node | null | undefined, message: string, hint: string): never {
    throw new RulesTooLarge({ severity: 'error', file: this.file, ...this.pos(node), message, hint });
  }

  entries(node: Node | null, what: string): Entry[] | undefined {
    node = this.resolve(node);
    if (!isMap(node)) return this.error(node, `${what} must be a mapping (key: value)`);
    return node.items.map((p: Pair) => {
      const keyNode = this.resolve(p.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      return { key, keyNode, value: this.resolve(p.value) };
    });
  }

  /** Unknown keys, with a "did you mean" among the allowed ones. */
  keys(entries: Entry[], allowed: readonly string[], where: string): void {
    for (const e of entries) {
      if (!allowed.includes(e.key)) {
        const guess = closest(e.key, allowed);
        this.error(e.keyNode, `unknown key '${e.key}' in ${where}`, guess ? `did you mean '${guess}'?` : `allowed: ${allowed.join(', ')}`);
      }
    }
  }

  scalar(node: Node | null, what: string): Scalar | undefined {
    node = this.resolve(node);
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') return this.error(node, `${what} must be a single value`);
    const v = node.value;
    if (typeof v === 'number' && !Number.isFinite(v)) return this.error(node, `${what} is ${String(v)}, which no data holds`, 'write a finite number, or quote it to compare text');
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return this.text(node, v, what);
    return this.text(node, String(v), what);
  }

  string(node: Node | null, what: string): string | undefined {
    node = this.resolve(node);
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') return this.error(node, `${what} must be text`);
    return this.text(node, String(node.value), what);
  }

  /** Text no SQL engine can hold (a NUL, half of a surrogate pair) is an error here, not a failing query later. */
  private text<T extends Scalar>(node: Node, v: T, what: string): T | undefined {
    if (typeof v !== 'string') return v;
    if (v.includes('\0')) return this.error(node, `${what} holds a NUL character (\\0)`, 'remove it: no data file or database holds one in text');
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v)) return this.error(node, `${what} holds half of a UTF-16 surrogate pair`, 'write the character itself, or both halves (\\ud83d\\ude00)');
    return v;
  }

  number(node: Node | null, what: string): number | undefined {
    node = this.resolve(node);
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value)) return this.error(node, `${what} must be a number`);
    return node.value;
  }

  boolean(node: Node | null, what: string): boolean | undefined {
    node = this.resolve(node);
    if (!isScalar(node) || typeof node.value !== 'boolean') return this.error(node, `${what} must be true or false`);
    return node.value;
  }

  /** A list of scalars; a single scalar is a list of one. */
  scalars(node: Node | null, what: string): Scalar[] | undefined {
    node = this.resolve(node);
    if (isSeq(node)) {
      const out: Scalar[] = [];
      for (const item of node.items) {
        const v = this.scalar(item as Node, `each value of ${what}`);
        if (v !== undefined) out.push(v);
      }
      if (out.length === 0) return this.error(node, `${what} is an empty list`);
      return out;
    }
    const v = this.scalar(node, what);
    return v === undefined ? undefined : [v];
  }

  duration(node: Node | null, what: string): { ms: number; text: string } | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) return this.error(node, `invalid duration '${text}' for ${what}`, DURATION_HINT);
    return { ms, text: text.trim() };
  }

  /** A value read as its declared shape (the scalar shapes of grammar.ts). */
  typed(node: Node | null, shape: Shape, what: string, tz = 'UTC'): Scalar | Scalar[] | { ms: number; text: string } | undefined {
    switch (shape.type) {
      case 'text':
        return this.string(node, what);
      case 'number':
        return this.number(node, what);
      case 'boolean':
        return this.boolean(node, what);
      case 'scalar':
        return this.scalar(node, what);
      case 'scalars':
        return this.scalars(node, what);
      case 'duration':
        return this.duration(node, what);
      case 'date':
        return this.date(node, what, tz);
      default:
        throw new Error(`not a scalar shape: ${shape.type}`);
    }
  }

  date(node: Node | null, what: string, tz: string): { ms: number; text: string } | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    const ms = parseDate(text, tz, 'dmy');
    if (Number.isNaN(ms)) return this.error(node, `invalid date '${text}' for ${what}`, 'write it as YYYY-MM-DD');
    return { ms, text: text.trim() };
  }
}

function entryMap(entries: Entry[]): Map<string, Entry> {
  return new Map(entries.map((e) => [e.key, e]));
}

interface CondContext {
  c: Checker;
  tz: string;
  /** Stage ids referenced, for the unknown-stage and cycle checks. */
  stageRefs: { id: string; node: Node | null; from?: string }[];
  currentStage?: string;
}

function numCmps(cx: CondContext, node: Node | null, what: string): NumCmp[] | undefined {
  const entries = cx.c.entries(node, `${what}`);
  if (!entries) return undefined;
  cx.c.keys(entries, NUM_OPS, what);
  const out: NumCmp[] = [];
  for (const e of entries) {
    if (!NUM_OPS.includes(e.key as NumOp)) continue;
    const v = cx.c.number(e.value, `${what} ${e.key}`);
    if (v !== undefined) out.push({ op: e.key as NumOp, value: v });
  }
  if (out.length === 0 && entries.length === 0) return cx.c.error(node, `${what} needs a comparison such as { gte: 30 }`);
  return out;
}

function parseCond(cx: CondContext, node: Node | null, scope: Scope, where: string): Cond | undefined {
  const { c } = cx;
  c.condition(node);
  const entries = c.entries(node, `a condition in ${where}`);
  if (!entries) return undefined;
  const pos = c.pos(node);
  const kinds = entries.filter((e) => COND_KINDS.includes(e.key));
  if (kinds.length === 0) {
    for (const e of entries) {
      const guess = closest(e.key, [...COND_KINDS, ...FIELD_OPS]);
      c.error(e.keyNode, `unknown condition '${e.key}' in ${where}`, guess ? `did you mean '${guess}'?` : `a condition starts with one of: ${COND_KINDS.join(', ')}`);
    }
    if (entries.length === 0) c.error(node, `empty condition in ${where}`, `a condition starts with one of: ${COND_KINDS.join(', ')}`);
    return undefined;
  }
  if (kinds.length > 1) {
    return c.error(kinds[1]!.keyNode, `one condition mixes '${kinds[0]!.key}' and '${kinds[1]!.key}'`, 'combine conditions with all: [ {…}, {…} ]');
  }
  const head = kinds[0]!;
  const m = entryMap(entries);
  switch (head.key) {
    case 'all':
    case 'any': {
      c.keys(entries, [head.key], `'${head.key}'`);
      const seq = c.resolve(head.value);
      if (!isSeq(seq) || seq.items.length === 0) return c.error(head.value ?? head.keyNode, `'${head.key}' needs a non-empty list of conditions`);
      const items: Cond[] = [];
      let ok = true;
      for (const item of seq.items) {
        const sub = parseCond(cx, item as Node, scope, where);
        if (sub) items.push(sub);
        else ok = false;
      }
      return ok ? { kind: head.key, items, pos } : undefined;
    }
    case 'not': {
      c.keys(entries, ['not'], `'not'`);
      const item = parseCond(cx, head.value, scope, where);
      return item ? { kind: 'not', item, pos } : undefined;
    }
    case 'field': {
      c.keys(entries, ['field', ...FIELD_OPS], `a field condition`);
      const field = c.string(head.value, `'field'`);
      const ops: FieldOp[] = [];
      for (const e of entries) {
        if (e.key === 'field' || !FIELD_OPS.includes(e.key)) continue;
        const op = parseFieldOp(cx, e);
        if (op) ops.push(op);
      }
      if (!entries.some((e) => FIELD_OPS.includes(e.key)) && entries.every((e) => e.key === 'field')) {
        return c.error(node, `field condition on '${field ?? '?'}' has no operator`, `add one of: ${FIELD_OPS.join(', ')}`);
      }
      return field !== undefined && ops.length === entries.filter((e) => FIELD_OPS.includes(e.key)).length ? { kind: 'field', field, ops, pos } : undefined;
    }
    case 'activity': {
      c.keys(entries, ACTIVITY_KEYS, `an activity condition`);
      const signals = c.scalars(head.value, `'activity'`)?.map((s) => snakeCase(String(s)));
      if (signals?.some((s) => s === '')) return c.error(head.value, `'activity' names an empty signal`);
      const w = m.get('within');
      const s = m.get('since');
      const cnt = m.get('count');
      const within = w ? (c.typed(w.value, ACTIVITY_OPTIONS.within!, `'within'`) as { ms: number; text: string } | undefined) : undefined;
      const since = s ? (c.typed(s.value, ACTIVITY_OPTIONS.since!, `'since'`, cx.tz) as { ms: number; text: string } | undefined) : undefined;
      let count: { gte?: number; lte?: number } = { gte: 1 };
      let countOk = true;
      if (cnt) {
        const cv = c.resolve(cnt.value);
        if (isMap(cv)) {
          const ce = c.entries(cv, `'count'`) ?? [];
          c.keys(ce, COUNT_KEYS, `'count'`);
          count = {};
          for (const e of ce) {
            if (e.key !== 'gte' && e.key !== 'lte') continue;
            const n = c.number(e.value, `count ${e.key}`);
            if (n === undefined || n < 0 || !Number.isInteger(n)) {
              if (n !== undefined) c.error(e.value, `count ${e.key} must be a whole number ≥ 0`);
              countOk = false;
            } else count[e.key] = n;
          }
        } else {
          const n = c.number(cv, `'count'`);
          if (n === undefined || n < 0 || !Number.isInteger(n)) {
            if (n !== undefined) c.error(cv, `'count' must be a whole number ≥ 0`, 'count: 3 means at least three; count: { gte: 1, lte: 5 } for a range');
            countOk = false;
          } else count = { gte: n };
        }
      }
      if (!signals || (w && !within) || (s && !since) || !countOk) return undefined;
      return { kind: 'activity', signals, within, since, count, pos };
    }
    case 'score':
    case 'fit': {
      c.keys(entries, [head.key], `'${head.key}'`);
      if (head.key === 'fit' && scope === 'fit') return c.error(head.keyNode, `a fit rule cannot test 'fit'`, 'fit is the sum of the fit rules');
      const cmps = numCmps(cx, head.value, `'${head.key}'`);
      return cmps ? { kind: head.key, cmps, pos } : undefined;
    }
    case 'persona':
    case 'consent': {
      c.keys(entries, [head.key], `'${head.key}'`);
      // Computed in this order: fit, consent, persona; each may use only what comes before it.
      if (head.key === 'persona' && (scope === 'persona' || scope === 'fit' || scope === 'consent')) {
        return c.error(head.keyNode, `'persona' cannot be used inside ${scope === 'fit' ? 'a fit rule' : scope}`, scope === 'persona' ? 'it would depend on itself' : 'persona is computed after fit and consent');
      }
      if (head.key === 'consent' && (scope === 'consent' || scope === 'fit')) {
        return c.error(head.keyNode, `'consent' cannot be used inside ${scope === 'fit' ? 'a fit rule' : 'consent'}`, scope === 'consent' ? 'it would depend on itself' : 'consent is computed after fit');
      }
      const v = c.boolean(head.value, `'${head.key}'`);
      return v === undefined ? undefined : { kind: head.key, value: v, pos };
    }
    case 'stage': {
      c.keys(entries, ['stage'], `'stage'`);
      if (scope !== 'stage' && scope !== 'disqualify') return c.error(head.keyNode, `'stage' can only be used in stages and disqualify rules`, 'persona, consent and fit are computed before stages');
      const id = c.string(head.value, `'stage'`);
      if (id === undefined) return undefined;
      cx.stageRefs.push({ id, node: head.value, from: cx.currentStage });
      return { kind: 'stage', id, pos };
    }
  }
  return undefined;
}

function parseFieldOp(cx: CondContext, e: Entry): FieldOp | undefined {
  const { c } = cx;
  const what = `'${e.key}'`;
  switch (e.key) {
    case 'matches': {
      const source = c.string(e.value, what);
      if (source === undefined) return undefined;
      try {
        const r = compileUserRegex(source);
        if ('problem' in r) return c.error(e.value, `matches /${source}/ uses ${r.problem}, which cannot be matched in bounded time`, r.hint);
        return { op: 'matches', regex: r.regex, source };
      } catch (err) {
        return c.error(e.value, `invalid regular expression /${source}/ (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`, 'check brackets and escape special characters with \\');
      }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const node = c.resolve(e.value);
      if (isScalar(node) && typeof node.value === 'number') return { op: e.key, value: node.value };
      if (isScalar(node) && typeof node.value === 'string') {
        const ms = parseDate(node.value, cx.tz, 'dmy');
        if (!Number.isNaN(ms)) return { op: e.key, value: ms, date: node.value.trim() };
      }
      return c.error(e.value, `${what} needs a number or a date`, 'for example gte: 50 or gte: 2026-01-01');
    }
  }
  // The other operators take a value of their declared shape.
  const shape = FIELD_OP_SHAPES[e.key]!;
  const v = c.typed(e.value, shape, what, cx.tz);
  if (v === undefined) return undefined;
  const op = e.key as never;
  switch (shape.type) {
    case 'scalar':
    case 'boolean':
      return { op, value: v } as FieldOp;
    case 'scalars':
      return { op, values: v } as FieldOp;
    case 'date': {
      const d = v as { ms: number; text: string };
      return { op, value: d.ms, date: d.text } as FieldOp;
    }
    case 'duration': {
      const d = v as { ms: number; text: string };
      return { op, ms: d.ms, text: d.text } as FieldOp;
    }
  }
  return undefined;
}

/** A stage's `sla: { within: 14d, action: … }` (SPEC §7): both keys needed, the window longer than zero. */
function parseSla(c: Checker, e: Entry, stage: string): Sla | undefined {
  const es = c.entries(e.value, `the sla of stage '${stage}'`);
  if (!es) return undefined;
  c.keys(es, SLA_KEYS, `the sla of stage '${stage}'`);
  const m = entryMap(es);
  const w = m.get('within');
  const a = m.get('action');
  if (!w) c.error(e.value, `the sla of stage '${stage}' needs 'within'`, 'how long a contact may stay at the stage, e.g. within: 14d');
  if (!a) c.error(e.value, `the sla of stage '${stage}' needs 'action'`, 'what to do with an overdue contact, e.g. action: "escalate: untouched for 14 days"');
  const within = w ? (c.typed(w.value, shapeOf(SLA, 'within'), `'within'`) as { ms: number; text: string } | undefined) : undefined;
  if (within && within.ms <= 0) return c.error(w!.value, `an sla's within must be longer than zero`, DURATION_HINT);
  const action = a ? (c.typed(a.value, shapeOf(SLA, 'action'), `the sla action`) as string | undefined) : undefined;
  return within && action !== undefined ? { withinMs: within.ms, within: within.text, action } : undefined;
}

/**
 * Cycles among `stage:` references, found in one depth-first walk (each stage and reference once: a chain of
 * stages each naming the ones before must not be walked once per path).
 */
function reportCycles(c: Checker, refs: CondContext['stageRefs'], stages: Map<string, Node | null>): void {
  const edges = new Map<string, { id: string; node: Node | null }[]>();
  for (const r of refs) if (r.from !== undefined) edges.set(r.from, [...(edges.get(r.from) ?? []), r]);
  const done = new Set<string>();
  const reported = new Set<string>();
  for (const start of edges.keys()) {
    if (done.has(start)) continue;
    // An explicit stack, as a long chain would overflow the call stack.
    const path: string[] = [start];
    const onPath = new Map<string, number>([[start, 0]]);
    const next: number[] = [0];
    while (path.length) {
      const id = path[path.length - 1]!;
      const out = edges.get(id) ?? [];
      const i = next[next.length - 1]!++;
      if (i >= out.length) {
        done.add(id);
        onPath.delete(id);
        path.pop();
        next.pop();
        continue;
      }
      const e = out[i]!;
      const at = onPath.get(e.id);
      if (at !== undefined) {
        const cycle = [...path.slice(at), e.id];
        const key = [...new Set(cycle)].sort().join('>');
        if (!reported.has(key)) {
          reported.add(key);
          c.error(e.node, `stage references form a cycle: ${cycle.join(' → ')}`, 'a stage cannot depend on itself');
        }
      } else if (!done.has(e.id) && stages.has(e.id)) {
        onPath.set(e.id, path.length);
        path.push(e.id);
        next.push(0);
      }
    }
  }
}

/** An optional key of a map, read as its declared shape. */
function optional<T extends Scalar | Scalar[] | { ms: number; text: string }>(c: Checker, m: Map<string, Entry>, parent: Shape, key: string, what: string): T | undefined {
  const e = m.get(key);
  return e ? (c.typed(e.value, shapeOf(parent, key), what) as T | undefined) : undefined;
}

function optionalString(c: Checker, m: Map<string, Entry>, parent: Shape, key: string, what: string): string | undefined {
  return optional<string>(c, m, parent, key, what);
}

/** Validates rules text; `rules` is set when there are no errors. */
export function loadRulesText(text: string, file: string): LoadResult {
  try {
    return loadUnbounded(text, file);
  } catch (e) {
    if (e instanceof RulesTooLarge) return { problems: [e.problem] };
    throw e;
  }
}

function loadUnbounded(text: string, file: string): LoadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const c = new Checker(file, doc, lc);
  for (const e of doc.errors) {
    const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
    const msg = e.code === 'DUPLICATE_KEY' ? 'duplicate key in one mapping' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    c.problems.push({ severity: 'error', file, line, col, message: `YAML: ${msg}`, hint: e.code === 'DUPLICATE_KEY' ? 'each key may appear once; merge the two entries' : 'check indentation and quoting' });
  }
  if (doc.errors.length) return { problems: c.problems };
  const root = c.resolve(doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    c.error(root, 'the rules file is empty', 'start from `funnel init`, which writes a commented example');
    return { problems: c.problems };
  }
  const top = c.entries(root, 'the rules file');
  if (!top) return { problems: c.problems };
  c.keys(top, TOP_KEYS, 'the rules file');
  const t = entryMap(top);

  const version = t.get('version');
  if (version) {
    const v = c.scalar(version.value, `'version'`);
    if (v !== undefined && v !== 1 && v !== '1') c.error(version.value, `unsupported rules version ${String(v)}`, 'this funnel reads version: 1');
  }

  const positions = new Map<string, Pos>();
  // contacts
  const contacts: Rules['contacts'] = { normalize: 'email' };
  const ce = t.get('contacts');
  if (ce) {
    const es = c.entries(ce.value, `'contacts'`);
    if (es) {
      c.keys(es, CONTACTS_KEYS, `'contacts'`);
      const m = entryMap(es);
      contacts.key = optionalString(c, m, CONTACTS, 'key', `contacts key`);
      if (m.has('key')) positions.set('contacts.key', c.pos(m.get('key')!.value));
      contacts.created = optionalString(c, m, CONTACTS, 'created', `contacts created`);
      if (m.has('created')) positions.set('contacts.created', c.pos(m.get('created')!.value));
      const n = m.get('normalize');
      if (n) {
        const v = c.typed(n.value, shapeOf(CONTACTS, 'normalize'), `'normalize'`) as string | undefined;
        const allowed = enumOf(CONTACTS, 'normalize');
        if (v !== undefined && allowed.includes(v)) contacts.normalize = v as Rules['contacts']['normalize'];
        else if (v !== undefined) c.error(n.value, `normalize must be ${orList(allowed)}, not '${v}'`, `email trims and lowercases keys; exact keeps them as they are`);
      }
    }
  }

  // activities
  const activities: Rules['activities'] = { dateOrder: 'auto', timezone: 'UTC', types: new Map() };
  const signalsDeclared = new Set<string>();
  const ae = t.get('activities');
  if (ae) {
    const es = c.entries(ae.value, `'activities'`);
    if (es) {
      c.keys(es, ACTIVITIES_KEYS, `'activities'`);
      const m = entryMap(es);
      activities.key = optionalString(c, m, ACTIVITIES, 'key', 'activities key');
      activities.type = optionalString(c, m, ACTIVITIES, 'type', 'activities type');
      activities.time = optionalString(c, m, ACTIVITIES, 'time', 'activities time');
      for (const k of ['key', 'type', 'time']) if (m.has(k)) positions.set(`activities.${k}`, c.pos(m.get(k)!.value));
      const d = m.get('date_order');
      if (d) {
        const v = c.typed(d.value, shapeOf(ACTIVITIES, 'date_order'), `'date_order'`) as string | undefined;
        const allowed = enumOf(ACTIVITIES, 'date_order');
        if (v !== undefined && allowed.includes(v)) activities.dateOrder = v as Rules['activities']['dateOrder'];
        else if (v !== undefined) c.error(d.value, `date_order must be ${orList(allowed)}, not '${v}'`, 'dmy reads 05/03/2026 as 5 March; mdy as May 3');
      }
      const tz = m.get('timezone');
      if (tz) {
        const v = c.typed(tz.value, shapeOf(ACTIVITIES, 'timezone'), `'timezone'`) as string | undefined;
        if (v !== undefined) {
          try {
            if (v.toUpperCase() !== 'UTC') new Intl.DateTimeFormat('en-US', { timeZone: v });
            activities.timezone = v.toUpperCase() === 'UTC' ? 'UTC' : v;
          } catch {
            c.error(tz.value, `unknown timezone '${v}'`, 'use an IANA name such as Europe/Paris, or UTC');
          }
        }
      }
      const ty = m.get('types');
      if (ty) {
        const te = c.entries(ty.value, `'types'`);
        for (const e of te ?? []) {
          const signal = snakeCase(e.key);
          if (signal === '') {
            c.error(e.keyNode, `signal name '${e.key}' has no letters or digits`);
            continue;
          }
          if (signal !== e.key) c.warn(e.keyNode, `signal '${e.key}' is used as '${signal}'`, `write it as ${signal}`);
          signalsDeclared.add(signal);
          for (const label of c.scalars(e.value, `the labels of '${e.key}'`) ?? []) {
            const k = norm(String(label));
            const prev = activities.types.get(k);
            if (prev !== undefined && prev !== signal) c.error(e.value, `label '${String(label)}' is mapped to both '${prev}' and '${signal}'`, 'a raw label maps to one signal');
            activities.types.set(k, signal);
          }
        }
      }
    }
  }
  const tz = activities.timezone;
  const cx: CondContext = { c, tz, stageRefs: [] };

  // fields
  const fields = new Map<string, string>();
  const fe = t.get('fields');
  if (fe) {
    for (const e of c.entries(fe.value, `'fields'`) ?? []) {
      const col = c.string(e.value, `the column of field '${e.key}'`);
      if (col !== undefined) fields.set(e.key, col);
      positions.set(`fields.${e.key}`, c.pos(e.value));
    }
  }

  // scoring
  const scoring: Rules['scoring'] = { points: new Map(), fit: [] };
  const pointNodes = new Map<string, Node | null>();
  const se = t.get('scoring');
  if (se) {
    const es = c.entries(se.value, `'scoring'`);
    if (es) {
      c.keys(es, SCORING_KEYS, `'scoring'`);
      const m = entryMap(es);
      const hl = m.get('half_life');
      if (hl) {
        const d = c.typed(hl.value, shapeOf(SCORING, 'half_life'), `'half_life'`) as { ms: number; text: string } | undefined;
        if (d) {
          if (d.ms <= 0) c.error(hl.value, `half_life must be longer than zero`, DURATION_HINT);
          else scoring.halfLifeMs = d.ms;
        }
      }
      const pe = m.get('points');
      if (pe) {
        for (const e of c.entries(pe.value, `'points'`) ?? []) {
          const ps = shapeOf(SCORING, 'points');
          const n = c.typed(e.value, ps.type === 'dict' ? ps.values : ps, `points of '${e.key}'`) as number | undefined;
          const signal = snakeCase(e.key);
          if (n !== undefined) scoring.points.set(signal, n);
          pointNodes.set(signal, e.keyNode);
        }
      }
      const fi = m.get('fit');
      if (fi) {
        const seq = c.resolve(fi.value);
        if (!isSeq(seq)) c.error(fi.value, `'fit' must be a list of { when: …, points: N }`);
        else {
          for (const item of seq.items) {
            const ie = c.entries(item as Node, 'a fit rule');
            if (!ie) continue;
            c.keys(ie, keysOf(FIT_RULE), 'a fit rule');
            const im = entryMap(ie);
            const w = im.get('when');
            const p = im.get('points');
            if (!w) c.error(item as Node, `a fit rule needs 'when'`);
            if (!p) c.error(item as Node, `a fit rule needs 'points'`);
            const when = w ? parseCond(cx, w.value, 'fit', 'a fit rule') : undefined;
            const points = p ? (c.typed(p.value, shapeOf(FIT_RULE, 'points'), `fit points`) as number | undefined) : undefined;
            if (when && points !== undefined) scoring.fit.push({ when, points });
          }
        }
      }
    }
  }

  const pe = t.get('persona');
  const persona = pe ? parseCond(cx, pe.value, 'persona', 'persona') : undefined;

  let consent: Rules['consent'];
  const co = t.get('consent');
  if (co) {
    const es = c.entries(co.value, `'consent'`);
    if (es) {
      c.keys(es, keysOf(CONSENT), `'consent'`);
      const m = entryMap(es);
      const w = m.get('when');
      if (!w) c.error(co.value, `consent needs 'when', the condition of an opt-in`);
      const when = w ? parseCond(cx, w.value, 'consent', 'consent') : undefined;
      const action = optionalString(c, m, CONSENT, 'action', 'consent action') ?? DEFAULT_CONSENT_ACTION;
      if (when) consent = { when, action };
    }
  }

  // disqualify
  const disqualify: Rules['disqualify'] = [];
  const de = t.get('disqualify');
  if (de) {
    const seq = c.resolve(de.value);
    if (!isSeq(seq)) c.error(de.value, `'disqualify' must be a list of { id: …, when: … }`);
    else {
      const ids = new Set<string>();
      for (const item of seq.items) {
        const ie = c.entries(item as Node, 'a disqualify rule');
        if (!ie) continue;
        c.keys(ie, DISQUALIFY_KEYS, 'a disqualify rule');
        const im = entryMap(ie);
        const id = optionalString(c, im, DISQUALIFIER, 'id', 'disqualify id');
        if (!im.has('id')) c.error(item as Node, `a disqualify rule needs an 'id'`, 'it is the reason shown in funnel_reason and the summary');
        if (id !== undefined && ids.has(id)) c.error(im.get('id')!.value, `duplicate disqualify id '${id}'`);
        if (id !== undefined) ids.add(id);
        const w = im.get('when');
        if (!w) c.error(item as Node, `disqualify rule '${id ?? '?'}' needs 'when'`);
        cx.currentStage = undefined;
        const when = w ? parseCond(cx, w.value, 'disqualify', `disqualify rule '${id ?? '?'}'`) : undefined;
        const action = optionalString(c, im, DISQUALIFIER, 'action', 'disqualify action') ?? DEFAULT_DISQUALIFY_ACTION;
        const content = optionalString(c, im, DISQUALIFIER, 'content', 'disqualify content') ?? DEFAULT_DISQUALIFY_CONTENT;
        if (id !== undefined && when) disqualify.push({ id, when, action, content });
      }
    }
  }

  // stages
  const stages: Stage[] = [];
  const stageNodes = new Map<string, Node | null>();
  const st = t.get('stages');
  if (!st) c.error(root, `the rules have no 'stages'`, 'list the stages from least to most mature, e.g. suspect, lead, mql, sql, customer, advocate');
  else {
    const seq = c.resolve(st.value);
    if (!isSeq(seq) || seq.items.length === 0) c.error(st.value ?? st.keyNode, `'stages' must be a non-empty list`);
    else {
      seq.items.forEach((item, i) => {
        const ie = c.entries(item as Node, 'a stage');
        if (!ie) return;
        c.keys(ie, STAGE_KEYS, 'a stage');
        const im = entryMap(ie);
        const idE = im.get('id');
        const id = idE ? (c.typed(idE.value, shapeOf(STAGE, 'id'), 'stage id') as string | undefined) : c.error(item as Node, `a stage needs an 'id'`);
        if (id !== undefined) {
          if (!STAGE_ID.test(id)) c.error(idE!.value, `stage id '${id}' must be letters, digits, - or _`, 'it names the output file <id>.csv');
          else if (id === 'disqualified') c.error(idE!.value, `'disqualified' is reserved`, 'disqualification is set by the disqualify rules');
          else if (stageNodes.has(id)) c.error(idE!.value, `duplicate stage id '${id}'`, 'each stage id must be unique');
          stageNodes.set(id, idE!.value);
        }
        const w = im.get('when');
        if (i === 0 && w) c.error(w.keyNode, `the first stage '${id ?? '?'}' has a 'when'`, 'the first stage is where every contact starts; remove its when');
        if (i > 0 && !w) c.warn(item as Node, `stage '${id ?? '?'}' has no 'when', so every contact reaches it`, 'add a when, or remove the less mature stages');
        cx.currentStage = id;
        const when = w ? parseCond(cx, w.value, 'stage', `stage '${id ?? '?'}'`) : undefined;
        const nc = im.get('needs_consent');
        const needsConsent = nc ? (c.typed(nc.value, shapeOf(STAGE, 'needs_consent'), `'needs_consent'`) as boolean | undefined) : true;
        const slaEntry = im.get('sla');
        const sla = slaEntry ? parseSla(c, slaEntry, id ?? '?') : undefined;
        if (id === undefined || (w && !when) || (slaEntry && !sla)) return;
        stages.push({
          id,
          label: optionalString(c, im, STAGE, 'label', 'stage label') ?? id,
          content: optionalString(c, im, STAGE, 'content', 'stage content') ?? '',
          action: optionalString(c, im, STAGE, 'action', 'stage action') ?? '',
          needsConsent: needsConsent ?? true,
          when,
          ...(sla ? { sla } : {}),
          pos: c.pos(item as Node),
        });
      });
    }
  }

  // stage references: unknown ids and cycles
  for (const r of cx.stageRefs) {
    if (!stageNodes.has(r.id)) {
      const guess = closest(r.id, stageNodes.keys());
      c.error(r.node, `unknown stage '${r.id}' in 'stage:'`, guess ? `did you mean '${guess}'?` : `stages are: ${[...stageNodes.keys()].join(', ')}`);
    }
  }
  reportCycles(c, cx.stageRefs, stageNodes);

  // points for signals that nothing else names: probably a typo
  const used = new Set<string>(signalsDeclared);
  const collect = (cond: Cond | undefined): void => {
    if (!cond) return;
    if (cond.kind === 'all' || cond.kind === 'any') cond.items.forEach(collect);
    else if (cond.kind === 'not') collect(cond.item);
    else if (cond.kind === 'activity') cond.signals.forEach((s) => used.add(s));
  };
  stages.forEach((s) => collect(s.when));
  disqualify.forEach((d) => collect(d.when));
  scoring.fit.forEach((f) => collect(f.when));
  collect(persona);
  collect(consent?.when);
  for (const [signal, node] of pointNodes) {
    if (!used.has(signal)) {
      const guess = closest(signal, used);
      if (guess) c.warn(node, `points for '${signal}', a signal no 'types' entry or condition names`, `did you mean '${guess}'?`);
    }
  }

  const allow = t.get('allow_regression');
  const allowRegression = allow ? ((c.typed(allow.value, shapeOf(RULES_FILE, 'allow_regression'), `'allow_regression'`) as boolean | undefined) ?? false) : false;

  if (c.problems.some((p) => p.severity === 'error')) return { problems: c.problems };
  return {
    problems: c.problems,
    rules: { source: file, contacts, activities, fields, scoring, persona, consent, disqualify, stages, allowRegression, positions },
  };
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}${p.hint ? ` — ${p.hint}` : ''}`;
}

export function readRulesFile(path: string, name = path): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problems: [{ severity: 'error', file: name, line: 1, col: 1, message: code === 'ENOENT' ? 'rules file not found' : `cannot read the rules file (${code})`, hint: 'check the path, or run `funnel init` to write an example' }] };
  }
  return loadRulesText(text.replace(/^\uFEFF/, ''), name);
}
