/**
 * `funnel validate`: every problem of a rules file, with line and column, and — given sample exports (several
 * of each, as classify takes) — the columns the rules name that the files do not have, the activity labels that
 * no rule uses, the signals the rules use that no label maps to, the field conditions that hold for none of the
 * sample contacts, and how well the activity keys meet the contact keys.
 */
import type { Readable } from 'node:stream';
import { resolve as resolvePath } from 'node:path';
import { inputRef } from '../input/bytes.js';
import { openTable, sampleRows, tableRows, type Table } from '../input/table.js';
import { emailColumnByValues, SAMPLE_ROWS } from '../input/columns.js';
import { findColumn, guessColumn, TIME_COLUMN, TYPE_COLUMN } from '../values/headers.js';
import { normalizeKey } from '../values/keys.js';
import { parseDate, slashHint } from '../values/dates.js';
import { planActivities } from '../aggregate/plan.js';
import { allConditions } from '../rules/walk.js';
import { locateRules } from './rules-source.js';
import { readRulesFile, type Problem } from '../rules/load.js';
import { fieldColumn, type Pos, type Rules } from '../rules/model.js';
import { closest } from '../util/text.js';
import { conditionsHoldingForNone, signalsWithoutLabels } from './validate-samples.js';
export interface ValidateOptions {
  rules?: string;
  contacts?: string[];
  activities?: string[];
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
  /** With both kinds of samples: keyed activity rows, and those whose key is a sample contact's. */
  overlap?: { activity_rows: number; matched: number };
}

export interface ValidateIO {
  stdin?: Readable;
  warn(message: string): void;
}

export function problem(severity: Problem['severity'], file: string, pos: Pos | undefined, message: string, hint?: string): Problem {
  return { severity, file, line: pos?.line ?? 1, col: pos?.col ?? 1, message, hint };
}

export function didYouMean(name: string, headers: readonly string[]): string {
  const g = closest(name, headers);
  return g ? `did you mean '${g}'?` : `columns are: ${headers.slice(0, 12).join(', ')}${headers.length > 12 ? ', …' : ''}`;
}

export async function validate(opts: ValidateOptions, io: ValidateIO): Promise<ValidateResult> {
  const { path, name } = locateRules(opts.rules, opts.cwd);
  const loaded = readRulesFile(resolvePath(opts.cwd, path), name);
  const problems = [...loaded.problems];
  const rules = loaded.rules;
  const result: ValidateResult = { source: name, problems };
  if (!rules) return result;
  const read = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, warn: io.warn };
  const contactKeys = new Set<string>();
  const contactRows: SampleContacts[] = [];
  for (const file of opts.contacts ?? []) {
    const c = await checkContacts(await openTable(inputRef(file, opts.cwd), read), rules, name, problems);
    for (const k of c.keys) contactKeys.add(k);
    contactRows.push(c);
  }
  for (const c of contactRows) problems.push(...conditionsHoldingForNone(rules, name, c.headers, c.rows, c.file));
  let keyed = 0;
  let matched = 0;
  const labels = new Map<string, number>();
  for (const file of opts.activities ?? []) {
    const a = await checkActivities(await openTable(inputRef(file, opts.cwd), read), rules, name, problems, labels);
    if (opts.contacts?.length) {
      let fileMatched = 0;
      for (const k of a.keys) if (contactKeys.has(k)) fileMatched++;
      keyed += a.keys.length;
      matched += fileMatched;
      if (a.keys.length && (a.keys.length - fileMatched) * 2 > a.keys.length) {
        const missing = a.keys.filter((k) => !contactKeys.has(k)).slice(0, 3);
        problems.push(problem('warning', a.file, undefined, `${a.keys.length - fileMatched} of ${a.keys.length} keyed activity rows match no contact of the samples: activity key '${a.keyName}'; unmatched keys such as ${missing.map((k) => `'${k}'`).join(', ')}`, 'check that activities.key and contacts.key name the same identifier (and contacts.normalize)'));
      }
    }
  }
  if (opts.activities?.length) {
    const plan = planActivities(rules, Date.now());
    const used = new Set(plan.signals);
    const uses: LabelUse[] = [...labels]
      .filter(([label]) => label !== '')
      .map(([label, rows]) => {
        const signal = plan.signalOfLabel(label);
        return { label, signal, rows, used: used.has(signal) };
      })
      .sort((x, y) => y.rows - x.rows || x.label.localeCompare(y.label));
    const files = (opts.activities ?? []).map((f) => inputRef(f, opts.cwd).name).join(', ');
    for (const l of uses.filter((x) => !x.used)) {
      const guess = closest(l.signal, used);
      problems.push(
        problem('warning', files, undefined, `label '${l.label}' (${l.rows} row${l.rows === 1 ? '' : 's'}) maps to signal '${l.signal}', which no rule uses`, guess ? `did you mean to map it to '${guess}' in activities.types?` : 'map it in activities.types if it matters'),
      );
    }
    problems.push(...signalsWithoutLabels(rules, name, uses, files));
    result.labels = uses;
  }
  if (opts.contacts?.length && opts.activities?.length) result.overlap = { activity_rows: keyed, matched };
  return result;
}

/** Contact rows tried against each field condition. */
const CONDITION_ROWS = 10_000;

interface SampleContacts {
  file: string;
  headers: string[];
  rows: string[][];
  keys: string[];
}

/** Columns of one contacts file, and its rows (for the conditions) and keys (for the overlap). */
async function checkContacts(opened: Table, rules: Rules, name: string, problems: Problem[]): Promise<SampleContacts> {
  const { sample, table } = await sampleRows(opened, SAMPLE_ROWS);
  const headers = table.headers;
  let key = -1;
  if (rules.contacts.key !== undefined) {
    key = findColumn(headers, rules.contacts.key).index;
    if (key === -1) problems.push(problem('error', name, rules.positions.get('contacts.key'), `contacts key '${rules.contacts.key}' is not a column of ${table.file}`, didYouMean(rules.contacts.key, headers)));
  } else {
    key = emailColumnByValues(headers, sample);
    if (key === -1) problems.push(problem('error', name, undefined, `no column of ${table.file} holds values that look like email addresses, and contacts.key is not set`, 'set contacts.key to the column that joins contacts and activities'));
  }
  // Rows for the conditions (the first ones), keys of all, for the overlap.
  const all: string[][] = [];
  const keys: string[] = [];
  for await (const r of tableRows(table)) {
    if (all.length < CONDITION_ROWS) all.push(r.values);
    if (key === -1) continue;
    const k = normalizeKey(r.values[key] ?? '', rules.contacts.normalize);
    if (k.trim() !== '') keys.push(k);
  }
  const reported = new Set<string>();
  for (const c of allConditions(rules)) {
    if (c.kind !== 'field') continue;
    const column = fieldColumn(rules, c.field);
    if (findColumn(headers, column).index !== -1 || reported.has(c.field)) continue;
    reported.add(c.field);
    const pos = rules.fields.has(c.field) ? rules.positions.get(`fields.${c.field}`) : c.pos;
    const what = rules.fields.has(c.field) ? `field '${c.field}' (column '${column}')` : `field '${column}'`;
    problems.push(problem('error', name, pos, `${what} is not a column of ${table.file}`, didYouMean(column, headers)));
  }
  return { file: table.file, headers, rows: all, keys };
}

interface SampleActivities {
  file: string;
  keyName: string;
  keys: string[];
}

/** Columns, dates and labels of one activities file; its keys, for the overlap. */
async function checkActivities(opened: Table, rules: Rules, name: string, problems: Problem[], labels: Map<string, number>): Promise<SampleActivities> {
  const a = rules.activities;
  const { sample, table } = await sampleRows(opened, SAMPLE_ROWS);
  const headers = table.headers;
  const col = (what: 'key' | 'type' | 'time', named: string | undefined, fallback: string | undefined, patterns: readonly RegExp[]): number => {
    const n = named ?? fallback;
    if (n !== undefined) {
      const i = findColumn(headers, n).index;
      if (i === -1) problems.push(problem('error', name, rules.positions.get(named !== undefined ? `activities.${what}` : 'contacts.key'), `activities ${what} '${n}' is not a column of ${table.file}`, didYouMean(n, headers)));
      return i;
    }
    const i = what === 'key' ? emailColumnByValues(headers, sample) : guessColumn(headers, patterns);
    if (i === -1) problems.push(problem('error', name, undefined, `cannot tell which column of ${table.file} holds the activity ${what}`, `set activities.${what}`));
    return i;
  };
  const keyCol = col('key', a.key, rules.contacts.key, []);
  const typeCol = col('type', a.type, undefined, TYPE_COLUMN);
  const timeCol = col('time', a.time, undefined, TIME_COLUMN);
  const keys: string[] = [];
  let unparsable = 0;
  let firstUnparsable: { line: number; text: string } | undefined;
  let order: 'dmy' | 'mdy' | undefined = a.dateOrder === 'auto' ? undefined : a.dateOrder;
  let ambiguous: { line: number; text: string } | undefined;
  for await (const r of tableRows(table)) {
    const values = r.values;
    if (keyCol >= 0) {
      const k = normalizeKey(values[keyCol] ?? '', rules.contacts.normalize);
      if (k.trim() !== '') keys.push(k);
    }
    if (typeCol >= 0) {
      const label = (values[typeCol] ?? '').trim();
      labels.set(label, (labels.get(label) ?? 0) + 1);
    }
    if (timeCol >= 0) {
      const text = values[timeCol] ?? '';
      const h = slashHint(text);
      if (order === undefined && (h === 'dmy' || h === 'mdy')) order = h;
      if (h === 'ambiguous' && !ambiguous) ambiguous = { line: r.line, text: text.trim() };
      if (h !== 'ambiguous' && Number.isNaN(parseDate(text, a.timezone, order ?? 'dmy'))) {
        unparsable++;
        firstUnparsable ??= { line: r.line, text: text.trim() };
      }
    }
  }
  if (order === undefined && ambiguous) {
    problems.push(problem('error', table.file, { line: ambiguous.line, col: 1 }, `cannot tell the order of slash dates such as '${ambiguous.text}'`, 'set activities.date_order: dmy or mdy'));
  }
  if (unparsable) {
    problems.push(problem('warning', table.file, { line: firstUnparsable!.line, col: 1 }, `${unparsable} row(s) have an unparsable date, e.g. '${firstUnparsable!.text}'`, 'they count only for activity conditions without a window'));
  }
  return { file: table.file, keyName: keyCol >= 0 ? headers[keyCol]! : '', keys };
}

export function hasErrors(r: ValidateResult): boolean {
  return r.problems.some((p) => p.severity === 'error');
}

