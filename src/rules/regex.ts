/**
 * The regular expressions of `matches`, compiled so that no pattern and no value can hang a run.
 *
 * V8's backtracking engine is exponential on patterns such as `^(a+)+$`, and while it spins no signal handler
 * runs. V8 also has a linear-time engine: with the flags below, a pattern that has backtracked too long is
 * rerun on it. That engine takes no `i` flag, so case is folded into the pattern itself (`a` → `[aA]`), with
 * the same equivalences as JavaScript's own `i` (without `u`). A pattern the linear engine cannot run at all
 * (backreferences, lookaround, counted repeats above 16) is refused when the rules are loaded.
 */
import v8 from 'node:v8';
import type { AstNode, CharacterClass, Value } from 'regjsparser';
import { requireCjs } from '../util/require.js';

// Before any user pattern is compiled: the flags apply to the patterns compiled after them.
v8.setFlagsFromString('--enable-experimental-regexp-engine');
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

let parser: typeof import('regjsparser') | undefined;

/** regjsparser, loaded on the first pattern. */
function regjsparser(): typeof import('regjsparser') {
  return (parser ??= requireCjs('regjsparser') as typeof import('regjsparser'));
}

export type UserRegex = { regex: RegExp } | { problem: string; hint: string };

/** The repeat count above which V8's linear engine refuses a pattern. */
const MAX_COUNT = 16;

/** JavaScript's Canonicalize for `i` without `u`: the upper case when it is one unit and stays out of ASCII's reach. */
function canonical(unit: number): number {
  const up = String.fromCharCode(unit).toUpperCase();
  if (up.length !== 1) return unit;
  const u = up.charCodeAt(0);
  return unit >= 128 && u < 128 ? unit : u;
}

interface CaseTable {
  /** Units with another unit of the same canonical form, ascending. */
  cased: number[];
  /** Unit → every unit of its canonical form (itself included). */
  variants: Map<number, number[]>;
}

let table: CaseTable | undefined;

/** Built once, on the first pattern that needs it: 65,536 code units, 10–20 ms. */
function caseTable(): CaseTable {
  if (table) return table;
  const byCanon = new Map<number, number[]>();
  for (let u = 0; u <= 0xffff; u++) {
    const c = canonical(u);
    const list = byCanon.get(c);
    if (list) list.push(u);
    else byCanon.set(c, [u]);
  }
  const variants = new Map<number, number[]>();
  for (const list of byCanon.values()) if (list.length > 1) for (const u of list) variants.set(u, list);
  table = { cased: [...variants.keys()].sort((a, b) => a - b), variants };
  return table;
}

/**
 * The table of ASCII alone, for a pattern of ASCII alone (most are): canonical() never takes a unit across
 * the ASCII boundary, so the other cases of an ASCII unit are ASCII, and the units of a range within ASCII are.
 */
function asciiCaseTable(): CaseTable {
  const cased: number[] = [];
  const variants = new Map<number, number[]>();
  for (let u = 65; u <= 90; u++) {
    const pair = [u, u + 32];
    variants.set(u, pair);
    variants.set(u + 32, pair);
  }
  for (let u = 0; u < 128; u++) if (variants.has(u)) cased.push(u);
  return { cased, variants };
}

/** The highest code unit a pattern names, as a value or the end of a class range (0 for none). */
function highestUnit(ast: AstNode): number {
  let high = 0;
  const visit = (n: AstNode): void => {
    if (n.type === 'characterClass') {
      for (const m of n.body) high = Math.max(high, m.type === 'value' ? m.codePoint : m.type === 'characterClassRange' ? m.max.codePoint : 0);
    } else if (n.type === 'value') high = Math.max(high, n.codePoint);
    else if (n.type === 'alternative' || n.type === 'disjunction' || n.type === 'group' || n.type === 'quantifier') n.body.forEach(visit);
  };
  visit(ast);
  return high;
}

function unitText(u: number): string {
  return `\\u${u.toString(16).padStart(4, '0')}`;
}

/** The other-case units of the units in [lo, hi] that the range does not already hold. */
function rangeExtras(lo: number, hi: number, t: CaseTable, into: Set<number>): void {
  // Binary search for the first cased unit ≥ lo: a range such as [\u0000-\uffff] costs its cased units only.
  let a = 0;
  let b = t.cased.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (t.cased[m]! < lo) a = m + 1;
    else b = m;
  }
  for (let i = a; i < t.cased.length && t.cased[i]! <= hi; i++) {
    for (const v of t.variants.get(t.cased[i]!)!) if (v < lo || v > hi) into.add(v);
  }
}

/** The raw text of a class member, safe to be followed or preceded by more members. */
function memberText(n: { type: string; raw: string }): string {
  if (n.type === 'value' && (n.raw === '\\' || n.raw === '-')) return `\\${n.raw}`;
  return n.raw;
}

function foldClass(n: CharacterClass, t: CaseTable): string {
  const extras = new Set<number>();
  for (const m of n.body) {
    if (m.type === 'value') rangeExtras(m.codePoint, m.codePoint, t, extras);
    else if (m.type === 'characterClassRange') rangeExtras(m.min.codePoint, m.max.codePoint, t, extras);
    // \w \d \s and their negations are closed under case already (no non-ASCII unit folds into ASCII).
  }
  if (extras.size === 0 && !n.body.some((m) => m.type === 'value' && (m.raw === '\\' || m.raw === '-'))) return n.raw;
  return `[${n.negative ? '^' : ''}${n.body.map(memberText).join('')}${[...extras].map(unitText).join('')}]`;
}

function foldValue(n: Value, t: CaseTable): string {
  if (n.raw === '\\') return '\\\\';
  const vs = n.codePoint <= 0xffff ? t.variants.get(n.codePoint) : undefined;
  if (!vs) return n.raw;
  return `[${vs.map(unitText).join('')}]`;
}

/** The pattern with every letter and class widened to its other cases, spliced by source position. */
function foldCase(source: string, ast: AstNode): string {
  const t = highestUnit(ast) < 128 ? asciiCaseTable() : caseTable();
  const edits: { from: number; to: number; text: string }[] = [];
  const visit = (n: AstNode): void => {
    if (n.type === 'characterClass') edits.push({ from: n.range[0], to: n.range[1], text: foldClass(n, t) });
    else if (n.type === 'value') edits.push({ from: n.range[0], to: n.range[1], text: foldValue(n, t) });
    else if (n.type === 'alternative' || n.type === 'disjunction' || n.type === 'group' || n.type === 'quantifier') n.body.forEach(visit);
  };
  visit(ast);
  edits.sort((a, b) => a.from - b.from);
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += source.slice(at, e.from) + e.text;
    at = e.to;
  }
  return out + source.slice(at);
}

/** Why the linear engine refuses a pattern, in the user's terms. */
function whyNotLinear(ast: AstNode): { problem: string; hint: string } {
  let found: { problem: string; hint: string } | undefined;
  const visit = (n: AstNode, factor: number): void => {
    if (found) return;
    if (n.type === 'reference') found = { problem: `a backreference (${n.raw})`, hint: 'write the repeated text out, or use a group without a reference' };
    else if (n.type === 'group' && n.behavior !== 'normal' && n.behavior !== 'ignore')
      found = { problem: `a lookaround (${n.raw.slice(0, /lookbehind/i.test(n.behavior) ? 4 : 3)}…)`, hint: 'test the other part with a second condition, e.g. all: [ {field: x, matches: …}, {not: {field: x, matches: …}} ]' };
    else if (n.type === 'quantifier') {
      const counted = n.max !== undefined ? n.max : n.min;
      const f = factor * Math.max(1, counted);
      const count = n.raw.slice(n.body[0]!.raw.length);
      if (n.min > MAX_COUNT || (n.max !== undefined && n.max > MAX_COUNT)) found = { problem: `a repeat count above ${MAX_COUNT} (${count})`, hint: 'use * or + instead, e.g. {2,} rather than {2,40}' };
      else if (f > MAX_COUNT) found = { problem: `counted repeats nested to more than ${MAX_COUNT} copies (${count} inside another count)`, hint: 'use * or + for one of them' };
      else n.body.forEach((b) => visit(b, f));
    } else if (n.type === 'alternative' || n.type === 'disjunction' || n.type === 'group') n.body.forEach((b) => visit(b, factor));
  };
  visit(ast, 1);
  return found ?? { problem: 'a construct that cannot be matched in linear time', hint: 'simplify the expression' };
}

/**
 * A `matches` pattern compiled case-insensitively for linear-time matching, or why it is refused. Syntax
 * errors are thrown as the SyntaxError of `new RegExp`.
 */
export function compileUserRegex(source: string): UserRegex {
  new RegExp(source); // the engine's own syntax error first
  let ast: AstNode;
  try {
    ast = regjsparser().parse(source, '', { namedGroups: true, lookbehind: true }) as AstNode;
  } catch (e) {
    return { problem: `syntax funnel cannot read (${(e as Error).message.split('\n')[0]})`, hint: 'escape special characters with \\' };
  }
  const folded = foldCase(source, ast);
  try {
    new RegExp(folded, 'l');
  } catch {
    return whyNotLinear(ast);
  }
  // Compiled without `l`: the backtracking engine is faster on ordinary patterns, and hands a pattern over to
  // the linear one after excessive backtracking (the flag above) — possible for every pattern `l` accepted.
  return { regex: new RegExp(folded) };
}
