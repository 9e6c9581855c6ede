/**
 * Field conditions compiled to closures, the twin of src/sql/fields.ts: a value is missing when it trims to
 * nothing, text compares trimmed and case folded, a number rule value compares as a number when the value reads
 * as one, dates are read as the data rules read them, and a value that cannot be read never satisfies a
 * comparison (it is counted as a row warning instead).
 */
import { isoDay, parseDate } from '../values/dates.js';
import { domainOf, wantedDomain } from '../values/domains.js';
import { parseNumber } from '../values/numbers.js';
import type { Cond, FieldOp, Scalar } from '../rules/model.js';
import { norm } from '../util/text.js';
import { fmtNum, NEGATED, opText, SYMBOL } from './condition-text.js';
import type { CompileEnv, CompiledCond } from './compile-env.js';
import { addWarning, type Ctx } from './context.js';

/**
 * The longest value `matches` tests. A pattern that backtracks too long is rerun on V8's linear engine, linear
 * but slow (about a microsecond a character): a 32 MB value would block the run, signals included, for half a
 * minute; 100,000 characters take a tenth of a second at worst.
 */
export const MATCHES_MAX_CHARS = 100_000;

type FieldCond = Extract<Cond, { kind: 'field' }>;
/** One operator's test of a value (`empty`: it trims to nothing). */
type OpTest = (ctx: Ctx, v: string, empty: boolean) => boolean;
type TextOp = Exclude<FieldOp, { op: 'gt' | 'gte' | 'lt' | 'lte' | 'before' | 'after' | 'within' }>;
type OrderedOp = Extract<FieldOp, { op: 'gt' | 'gte' | 'lt' | 'lte' | 'before' | 'after' | 'within' }>;

export function cmpHolds(op: string, a: number, b: number): boolean {
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

/** How a field's values are read as numbers and dates, each failure a row warning naming the column. */
interface Readers {
  colName: string;
  number(ctx: Ctx, v: string): number;
  date(ctx: Ctx, v: string): number;
}

function readers(colName: string, env: CompileEnv): Readers {
  const { timezone } = env;
  return {
    colName,
    number(ctx, v) {
      const n = parseNumber(v);
      if (Number.isNaN(n)) addWarning(ctx, `unparsable number in ${colName}: '${v.trim()}'`);
      return n;
    },
    date(ctx, v) {
      const t = parseDate(v, timezone, env.dateOrder);
      if (Number.isNaN(t)) addWarning(ctx, `unparsable date in ${colName}: '${v.trim()}'`);
      return t;
    },
  };
}

/** The operators that compare text: equality (numbers as numbers), lists, substrings, patterns, domains. */
function textTest(op: TextOp, colName: string): OpTest {
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
}

/** The operators that compare a value read as a number or a date. */
function orderedTest(op: OrderedOp, r: Readers): OpTest {
  const date = r.date;
  switch (op.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const read = op.date !== undefined ? date : r.number;
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
  }
}

function opTest(op: FieldOp, r: Readers): OpTest {
  switch (op.op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'before':
    case 'after':
    case 'within':
      return orderedTest(op, r);
    default:
      return textTest(op, r.colName);
  }
}

/** A field's verdict only changes with the moment through a window; else the replay asks it once per contact. */
function memoized(cond: FieldCond, env: CompileEnv, raw: (ctx: Ctx) => boolean): (ctx: Ctx) => boolean {
  const memo = cond.ops.some((o) => o.op === 'within') ? -1 : env.memoSlot();
  if (memo < 0) return raw;
  return (ctx: Ctx): boolean => {
    const m = ctx.fieldMemo;
    if (m === undefined) return raw(ctx);
    const known = m[memo]!;
    if (known !== 0) return known === 1;
    const held = raw(ctx);
    m[memo] = held ? 1 : 2;
    return held;
  };
}

/**
 * What `explain` shows of the value: the comparison it made, its domain, its date, or the value itself — made
 * once per condition. The comparison is made again without warnings (the test has said them).
 */
function evidenceOf(cond: FieldCond, env: CompileEnv, r: Readers): (ctx: Ctx, v: string, held: boolean) => string {
  const colName = r.colName;
  const cmp = cond.ops.find((o) => o.op === 'gt' || o.op === 'gte' || o.op === 'lt' || o.op === 'lte');
  if (cmp && cmp.op !== 'within' && 'value' in cmp && typeof cmp.value === 'number') {
    const silent: Readers = { colName, number: (_c, v) => parseNumber(v), date: (_c, v) => parseDate(v, env.timezone, env.dateOrder) };
    const again = opTest(cmp, silent);
    const shownLimit = 'date' in cmp && cmp.date !== undefined ? cmp.date : fmtNum(cmp.value);
    return (ctx, v) => `${colName}=${v}${again(ctx, v, false) ? SYMBOL[cmp.op] : NEGATED[cmp.op]}${shownLimit}`;
  }
  if (cond.ops.some((o) => o.op === 'domain_in')) return (_c, v) => `${colName} domain ${domainOf(v)}`;
  if (cond.ops.some((o) => o.op === 'within' || o.op === 'before' || o.op === 'after')) {
    const w = cond.ops.find((o) => o.op === 'within');
    const window = w && w.op === 'within' ? w.text : undefined;
    return (_c, v, held) => {
      const t = parseDate(v, env.timezone, env.dateOrder);
      return `${colName}=${Number.isNaN(t) ? v : isoDay(t, env.timezone)}${window !== undefined ? (held ? ` within ${window}` : ` not within ${window}`) : ''}`;
    };
  }
  return (_c, v) => `${colName}=${v}`;
}

/**
 * Values a condition remembers its verdict for; the longest value it remembers, in characters (values that repeat
 * are short; input/field-texts.ts remembers up to 48 bytes of text); its trial (see byValue).
 */
const BY_VALUE_MAX = 1024;
const BY_VALUE_CHARS = 64;
const BY_VALUE_TRIAL = 4096;

/** A verdict remembered with the row warnings its test said (an unparsable number), said again on each hit. */
interface Warned {
  held: boolean;
  warnings: string[];
}

/**
 * A field test remembered per value: a column of an export holds a few values again and again (industries,
 * countries, opt-in answers, sizes), and a lookup costs a fraction of trimming, folding and comparing them. A
 * test without a window depends on the value alone, its warnings included. After a trial, a column whose values
 * seldom repeat (emails: a quarter of the lookups or fewer) goes without; the memo is bounded in values and in
 * length.
 */
function byValue(test: (ctx: Ctx, v: string) => boolean): (ctx: Ctx, v: string) => boolean {
  const memo = new Map<string, boolean | Warned>();
  let lookups = 0;
  let hits = 0;
  let on = true;
  return (ctx, v) => {
    if (!on || v.length > BY_VALUE_CHARS) return test(ctx, v);
    if (++lookups === BY_VALUE_TRIAL && !(on = hits * 4 > lookups)) memo.clear();
    const known = memo.get(v);
    if (known !== undefined) {
      hits++;
      if (typeof known === 'boolean') return known;
      for (const w of known.warnings) addWarning(ctx, w);
      return known.held;
    }
    // The test says its warnings into a list of its own: into the row's, one another condition has said already
    // would not be added again, and the memo would lose it for the rows where that other condition is not asked.
    const rowWarnings = ctx.warnings;
    const own: string[] = [];
    let held: boolean;
    ctx.warnings = own;
    try {
      held = test(ctx, v);
    } finally {
      ctx.warnings = rowWarnings;
    }
    for (const w of own) addWarning(ctx, w);
    if (memo.size < BY_VALUE_MAX) memo.set(v, own.length === 0 ? held : { held, warnings: own });
    return held;
  };
}

export function compileField(cond: FieldCond, env: CompileEnv): CompiledCond {
  const col = env.column(cond.field);
  const index = col.index;
  const colName = col.name;
  const r = readers(colName, env);
  const tests = cond.ops.map((op) => opTest(op, r));
  const ofValue = (ctx: Ctx, v: string): boolean => {
    const empty = v.trim() === '';
    for (const t of tests) if (!t(ctx, v, empty)) return false;
    return true;
  };
  // A window ends at the moment (the replay's many): its verdict is not the value's alone.
  const verdictOf = cond.ops.some((o) => o.op === 'within') ? ofValue : byValue(ofValue);
  const raw = (ctx: Ctx): boolean => verdictOf(ctx, index < 0 ? '' : (ctx.values[index] ?? ''));
  const test = memoized(cond, env, raw);
  const text = `${cond.field} ${cond.ops.map(opText).join(' and ')}`;
  const evidence = evidenceOf(cond, env, r);
  return {
    test,
    explain(ctx) {
      const held = test(ctx);
      const v = index < 0 ? '' : (ctx.values[index] ?? '').trim();
      let shown: string;
      if (index < 0) shown = `no column ${colName}`;
      else if (v === '') shown = `${colName} empty`;
      else shown = evidence(ctx, v, held);
      return { kind: 'field', held, text, evidence: shown };
    },
  };
}
