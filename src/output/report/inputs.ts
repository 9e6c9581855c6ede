/**
 * The files a report is made of: each one a classify summary or a history JSON, told apart by their
 * shape, and checked for every field the report reads — a file that is neither is an error naming the
 * field, never a page with holes or NaN in it.
 */
import { InputError } from '../../errors.js';
import type { Summary } from '../summary.js';
import type { History } from './history.js';

export type ReportInput = { kind: 'summary'; file: string; data: Summary } | { kind: 'history'; file: string; data: History };

const HINT = "give a file written by 'classify --summary-file' or 'history --format json'";

type Obj = Record<string, unknown>;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

class Shape {
  constructor(private readonly file: string) {}

  fail(path: string, what: string): never {
    throw new InputError(`${path}: ${what}`, { file: this.file }, HINT);
  }
  obj(v: unknown, path: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'expected an object');
    return v as Obj;
  }
  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v;
  }
  num(o: Obj, key: string, path: string, nullable = false): void {
    const v = o[key];
    if (nullable && v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(join(path, key), `expected a number${nullable ? ' or null' : ''}`);
  }
  str(o: Obj, key: string, path: string): void {
    if (typeof o[key] !== 'string') this.fail(join(path, key), 'expected a string');
  }
  optNum(o: Obj, key: string, path: string): void {
    if (o[key] !== undefined) this.num(o, key, path);
  }
  /** An object of name → number, such as `by_reason`. */
  counts(v: unknown, path: string): void {
    const o = this.obj(v, path);
    for (const k of Object.keys(o)) this.num(o, k, path);
  }
  each(v: unknown, path: string, check: (o: Obj, p: string) => void): void {
    this.arr(v, path).forEach((x, i) => check(this.obj(x, `${path}[${i}]`), `${path}[${i}]`));
  }
}

function checkStageLines(s: Shape, v: unknown, path: string): void {
  s.each(v, path, (o, p) => {
    s.str(o, 'id', p);
    s.str(o, 'label', p);
    for (const k of ['count', 'share', 'reached']) s.num(o, k, p);
    s.num(o, 'conversion', p, true);
    s.optNum(o, 'overdue', p);
  });
}

function checkSummary(s: Shape, o: Obj): void {
  s.str(o, 'as_of', '');
  s.num(o, 'total', '');
  checkStageLines(s, o.stages, 'stages');
  const d = s.obj(o.disqualified, 'disqualified');
  s.num(d, 'total', 'disqualified');
  s.counts(d.by_reason, 'disqualified.by_reason');
  s.num(o, 'not_contactable', '');
  s.str(s.obj(o.rules, 'rules'), 'source', 'rules');
  if (o.movements !== undefined) {
    const m = s.obj(o.movements, 'movements');
    s.num(m, 'changed', 'movements');
    s.num(m, 'new', 'movements');
    s.each(m.moves, 'movements.moves', (x, p) => {
      s.str(x, 'from', p);
      s.str(x, 'to', p);
      s.num(x, 'count', p);
    });
  }
  if (o.segments !== undefined) {
    s.str(o, 'by', '');
    s.each(o.segments, 'segments', (x, p) => {
      s.str(x, 'segment', p);
      s.num(x, 'total', p);
      checkStageLines(s, x.stages, `${p}.stages`);
    });
  }
}

function checkHistoryParts(s: Shape, o: Obj, path: string): void {
  const at = (k: string): string => (path ? `${path}.${k}` : k);
  s.each(o.rows, at('rows'), (x, p) => {
    s.str(x, 'period', p);
    s.str(x, 'stage', p);
    s.num(x, 'balance', p);
    s.num(x, 'entered', p);
    s.optNum(x, 'overdue', p);
  });
  s.each(o.conversion, at('conversion'), (x, p) => {
    s.str(x, 'from', p);
    s.str(x, 'to', p);
    s.each(x.cohorts, `${p}.cohorts`, (c, q) => {
      s.str(c, 'period', q);
      s.num(c, 'entered', q);
      s.num(c, 'reached', q);
      s.num(c, 'share', q, true);
    });
  });
  s.each(o.velocity, at('velocity'), (x, p) => {
    s.str(x, 'from', p);
    s.str(x, 'to', p);
    s.num(x, 'contacts', p);
    s.num(x, 'median_days', p, true);
    s.num(x, 'p90_days', p, true);
  });
}

function checkHistory(s: Shape, o: Obj): void {
  s.str(o, 'as_of', '');
  s.str(o, 'every', '');
  s.num(o, 'contacts', '');
  s.each(o.periods, 'periods', (x, p) => s.str(x, 'id', p));
  s.each(o.stages, 'stages', (x, p) => {
    s.str(x, 'id', p);
    s.str(x, 'label', p);
  });
  checkHistoryParts(s, o, '');
  if (o.segments !== undefined) {
    s.str(o, 'by', '');
    s.each(o.segments, 'segments', (x, p) => {
      s.str(x, 'segment', p);
      s.num(x, 'contacts', p);
      checkHistoryParts(s, x, p);
    });
  }
}

/** Where a JSON.parse error is, as `line:col`, when V8 says the position. */
function jsonErrorLocation(text: string, e: Error): { line?: number; col?: number } {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return {};
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return { line, col: before.length - before.lastIndexOf('\n') };
}

export function parseReportInput(file: string, text: string): ReportInput {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const what = (e as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of the file');
    throw new InputError(`not valid JSON: ${what}`, { file, ...jsonErrorLocation(text, e as Error) }, HINT);
  }
  const s = new Shape(file);
  const o = s.obj(v, 'the file');
  if (o.kind === 'history') {
    checkHistory(s, o);
    return { kind: 'history', file, data: o as unknown as History };
  }
  if (o.kind === undefined && Array.isArray(o.stages) && o.total !== undefined) {
    checkSummary(s, o);
    return { kind: 'summary', file, data: o as unknown as Summary };
  }
  throw new InputError('neither a funnel summary nor a history', { file }, HINT);
}
