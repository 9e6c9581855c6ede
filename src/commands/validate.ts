/**
 * `funnel validate`: every problem of a rules file, with line and column, and — given sample exports — the
 * columns the rules name that the files do not have, and the activity labels that no rule uses.
 */
import type { Readable } from 'node:stream';
import { inputRef } from '../input/bytes.js';
import { openTable } from '../input/table.js';
import { findColumn, guessColumn, TIME_COLUMN, TYPE_COLUMN } from '../input/columns.js';
const EMAIL_COLUMN = [/e-?mail/i];
import { parseDate, slashHint } from '../input/dates.js';
import { planActivities } from '../aggregate/plan.js';
import { allConditions } from '../rules/walk.js';
import { locateRules } from './rules-source.js';
import { readRulesFile, type Problem } from '../rules/load.js';
import type { Pos } from '../rules/model.js';
import { closest } from '../util/text.js';

export interface ValidateOptions {
  rules?: string;
  contacts?: string;
  activities?: string;
  cwd: string;
  encoding?: string;
  delimiter?: string;
}

export interface LabelUse {
  label: string;
  signal: string;
  rows: number;
  used: boolean;
}

export interface ValidateResult {
  source: string;
  problems: Problem[];
  labels?: LabelUse[];
}

export interface ValidateIO {
  stdin?: Readable;
  warn(message: string): void;
}

function problem(severity: Problem['severity'], file: string, pos: Pos | undefined, message: string, hint?: string): Problem {
  return { severity, file, line: pos?.line ?? 1, col: pos?.col ?? 1, message, hint };
}

function didYouMean(name: string, headers: readonly string[]): string {
  const g = closest(name, headers);
  return g ? `did you mean '${g}'?` : `columns are: ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`;
}

export async function validate(opts: ValidateOptions, io: ValidateIO): Promise<ValidateResult> {
  const { path, name } = locateRules(opts.rules, opts.cwd);
  const loaded = readRulesFile(path, name);
  const problems = [...loaded.problems];
  const rules = loaded.rules;
  const result: ValidateResult = { source: name, problems };
  if (!rules) return result;
  const read = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, warn: io.warn };

  if (opts.contacts !== undefined) {
    const table = await openTable(inputRef(opts.contacts), read);
    // JSON and NDJSON headers are known once a record is read.
    if (table.format !== 'csv') for await (const _ of table.rows) break;
    const headers = table.headers;
    if (rules.contacts.key !== undefined) {
      if (findColumn(headers, rules.contacts.key).index === -1) {
        problems.push(problem('error', name, rules.positions.get('contacts.key'), `contacts key '${rules.contacts.key}' is not a column of ${table.file}`, didYouMean(rules.contacts.key, headers)));
      }
    } else if (guessColumn(headers, EMAIL_COLUMN) === -1) {
      problems.push(problem('error', name, undefined, `no column of ${table.file} looks like an email, and contacts.key is not set`, 'set contacts.key to the column that joins contacts and activities'));
    }
    const reported = new Set<string>();
    for (const c of allConditions(rules)) {
      if (c.kind !== 'field') continue;
      const column = rules.fields.get(c.field) ?? c.field;
      if (findColumn(headers, column).index !== -1 || reported.has(c.field)) continue;
      reported.add(c.field);
      const pos = rules.fields.has(c.field) ? rules.positions.get(`fields.${c.field}`) : c.pos;
      const what = rules.fields.has(c.field) ? `field '${c.field}' (column '${column}')` : `field '${column}'`;
      problems.push(problem('error', name, pos, `${what} is not a column of ${table.file}`, didYouMean(column, headers)));
    }
  }

  if (opts.activities !== undefined) {
    const table = await openTable(inputRef(opts.activities), read);
    const rowsIt = table.rows[Symbol.asyncIterator]();
    const first = await rowsIt.next();
    const headers = table.headers;
    const a = rules.activities;
    const col = (what: 'key' | 'type' | 'time', named: string | undefined, fallback: string | undefined, patterns: readonly RegExp[]): number => {
      if (named !== undefined) {
        const i = findColumn(headers, named).index;
        if (i === -1) problems.push(problem('error', name, rules.positions.get(`activities.${what}`), `activities ${what} '${named}' is not a column of ${table.file}`, didYouMean(named, headers)));
        return i;
      }
      const f = fallback !== undefined ? findColumn(headers, fallback).index : -1;
      const i = f !== -1 ? f : guessColumn(headers, patterns);
      if (i === -1) problems.push(problem('error', name, undefined, `cannot tell which column of ${table.file} holds the activity ${what}`, `set activities.${what}`));
      return i;
    };
    col('key', a.key, rules.contacts.key, EMAIL_COLUMN);
    const typeCol = col('type', a.type, undefined, TYPE_COLUMN);
    const timeCol = col('time', a.time, undefined, TIME_COLUMN);
    const plan = planActivities(rules, Date.now());
    const used = new Set(plan.signals);
    const counts = new Map<string, number>();
    let unparsable = 0;
    let firstUnparsable: { line: number; text: string } | undefined;
    let order: 'dmy' | 'mdy' | undefined = a.dateOrder === 'auto' ? undefined : a.dateOrder;
    let ambiguous: { line: number; text: string } | undefined;
    const visit = (values: string[], line: number): void => {
      if (typeCol >= 0) {
        const label = (values[typeCol] ?? '').trim();
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      if (timeCol >= 0) {
        const text = values[timeCol] ?? '';
        const h = slashHint(text);
        if (order === undefined && (h === 'dmy' || h === 'mdy')) order = h;
        if (h === 'ambiguous' && !ambiguous) ambiguous = { line, text: text.trim() };
        if (h !== 'ambiguous' && Number.isNaN(parseDate(text, a.timezone, order ?? 'dmy'))) {
          unparsable++;
          firstUnparsable ??= { line, text: text.trim() };
        }
      }
    };
    if (!first.done) visit(first.value.values, first.value.line);
    for (let r = await rowsIt.next(); !r.done; r = await rowsIt.next()) visit(r.value.values, r.value.line);
    if (order === undefined && ambiguous) {
      problems.push(problem('error', table.file, { line: ambiguous.line, col: 1 }, `cannot tell the order of slash dates such as '${ambiguous.text}'`, 'set activities.date_order: dmy or mdy'));
    }
    if (unparsable) {
      problems.push(problem('warning', table.file, { line: firstUnparsable!.line, col: 1 }, `${unparsable} row(s) have an unparsable date, e.g. '${firstUnparsable!.text}'`, 'they count only for activity conditions without a window'));
    }
    const labels: LabelUse[] = [...counts]
      .filter(([label]) => label !== '')
      .map(([label, rows]) => {
        const signal = plan.signalOfLabel(label);
        return { label, signal, rows, used: used.has(signal) };
      })
      .sort((x, y) => y.rows - x.rows || x.label.localeCompare(y.label));
    for (const l of labels.filter((x) => !x.used)) {
      const guess = closest(l.signal, used);
      problems.push(
        problem('warning', table.file, undefined, `label '${l.label}' (${l.rows} row${l.rows === 1 ? '' : 's'}) maps to signal '${l.signal}', which no rule uses`, guess ? `did you mean to map it to '${guess}' in activities.types?` : 'map it in activities.types if it matters'),
      );
    }
    result.labels = labels;
  }
  return result;
}

export function hasErrors(r: ValidateResult): boolean {
  return r.problems.some((p) => p.severity === 'error');
}

