/**
 * The positioned YAML checker of the rules loader: it reads values of the shapes grammar.ts declares and
 * records every problem with its file, line and column, so a marketer fixes them all in one go. It also bounds
 * what YAML aliases may multiply (an alias bomb of a few hundred bytes would stand for 10⁹ conditions).
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isAlias, type Document, type Node, type Pair } from 'yaml';
import { parseDuration, DURATION_HINT } from './duration.js';
import { parseDate } from '../values/dates.js';
import { closest } from '../util/text.js';
import { shapeOf, type Shape } from './grammar.js';
import type { Pos, Scalar } from './model.js';

export interface Problem {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

/** A key of a YAML mapping, its node and its value, aliases resolved. */
export interface Entry {
  key: string;
  keyNode: Node | null;
  value: Node | null;
}

/** A duration or a date as read: milliseconds, and the text as written (trimmed) for messages and reasons. */
export interface Timed {
  ms: number;
  text: string;
}

/**
 * Bounds against YAML alias bombs: the characters that alias expansion may add to what is checked, and the
 * conditions one rules file may hold.
 */
export const MAX_ALIAS_EXPANSION = 100_000;
export const MAX_CONDITIONS = 10_000;

/** Thrown where a bound is crossed: the check stops there with this one problem. */
export class RulesTooLarge extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/** The readers of the scalar shapes that take no time zone, by shape type. */
const READERS = { text: 'string', number: 'number', boolean: 'boolean', scalar: 'scalar', scalars: 'scalars', duration: 'duration' } as const;

export class Checker {
  readonly problems: Problem[] = [];
  private expanded = 0;
  private conditions = 0;
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  /** Parses rules text; YAML's own errors are the first problems, and a checker with any has nothing to check. */
  static parse(text: string, file: string): Checker {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
    const c = new Checker(file, doc, lc);
    for (const e of doc.errors) {
      const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [1, 1];
      const dup = e.code === 'DUPLICATE_KEY';
      const msg = dup ? 'duplicate key in one mapping' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      c.problems.push({ severity: 'error', file, line, col, message: `YAML: ${msg}`, hint: dup ? 'each key may appear once; merge the two entries' : 'check indentation and quoting' });
    }
    return c;
  }

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

  hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
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

  /** A mapping's entries by key, its unknown keys reported (with a "did you mean" among the allowed ones). */
  mapping(node: Node | null, what: string, allowed: readonly string[]): Map<string, Entry> | undefined {
    const es = this.entries(node, what);
    if (!es) return undefined;
    this.keys(es, allowed, what);
    return entryMap(es);
  }

  /** A list's items; `undefined` (with `message` at the node) when the node is not a list. */
  list(node: Node | null, message: string): Node[] | undefined {
    const seq = this.resolve(node);
    if (!isSeq(seq)) return this.error(node, message);
    return seq.items as Node[];
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

  duration(node: Node | null, what: string): Timed | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) return this.error(node, `invalid duration '${text}' for ${what}`, DURATION_HINT);
    return { ms, text: text.trim() };
  }

  date(node: Node | null, what: string, tz: string): Timed | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    const ms = parseDate(text, tz, 'dmy');
    if (Number.isNaN(ms)) return this.error(node, `invalid date '${text}' for ${what}`, 'write it as YYYY-MM-DD');
    return { ms, text: text.trim() };
  }

  /** A value read as its declared shape (the scalar shapes of grammar.ts). */
  typed(node: Node | null, shape: Shape, what: string, tz = 'UTC'): Scalar | Scalar[] | Timed | undefined {
    if (shape.type === 'date') return this.date(node, what, tz);
    if (!(shape.type in READERS)) throw new Error(`not a scalar shape: ${shape.type}`);
    return this[READERS[shape.type as keyof typeof READERS]](node, what);
  }

  /** An optional key of a mapping, read as its declared shape; `undefined` when absent or invalid. */
  optional<T extends Scalar | Scalar[] | Timed>(m: Map<string, Entry>, parent: Shape, key: string, what: string): T | undefined {
    const e = m.get(key);
    return e ? (this.typed(e.value, shapeOf(parent, key), what) as T | undefined) : undefined;
  }
}

export function entryMap(entries: Entry[]): Map<string, Entry> {
  return new Map(entries.map((e) => [e.key, e]));
}

/** `a or b`, `a, b or c`. */
export function orList(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}
