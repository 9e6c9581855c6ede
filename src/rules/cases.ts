/**
 * A cases file of `funnel test` (SPEC §9), read and checked against the rules it tests: every problem with its
 * line and column, as `validate` gives them. Values are read as written (YAML's failsafe schema: `0120` stays
 * `0120`), so a contact field holds exactly the text an export would.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node, type Pair } from 'yaml';
import { parseDate, slashHint, type DateOrder } from '../values/dates.js';
import { EMAIL_COLUMN, guessColumn } from '../values/headers.js';
import { closest, norm, snakeCase } from '../util/text.js';
import { allConditions, dateColumnsOf } from './walk.js';
import { BECAME_PREFIX, CASE_KEYS, CASES_FILE_KEYS, EVENT_KEYS, EXPECT_KEYS, SLA_STATES, type ExpectKey } from './grammar.js';
import type { Problem } from './load.js';
import { fieldColumn, type Pos, type Rules } from './model.js';

export interface CaseEvent {
  /** A raw label or a signal, as written. */
  label: string;
  /** As written; '' for an event without a date. */
  time: string;
  line: number;
}

export interface Expectation {
  key: ExpectKey;
  /** Text for stage, content, action, yes/no; a number for score and fit; one or more texts for reason_contains. */
  value: string | number | string[];
  pos: Pos;
}

export interface TestCase {
  name: string;
  file: string;
  pos: Pos;
  asOf?: string;
  /** Contact column → value, for the columns the case lists. */
  contact: Map<string, string>;
  events: CaseEvent[];
  expect: Expectation[];
}

export interface CasesFile {
  file: string;
  cases: TestCase[];
  /** Order of ambiguous slash dates, decided from the whole file's values (as classify decides it per file). */
  eventOrder?: DateOrder;
  contactOrder?: DateOrder;
}

interface Entry {
  key: string;
  keyNode: Node;
  value: Node | null;
}

class CaseChecker {
  constructor(
    readonly file: string,
    readonly lc: LineCounter,
    readonly problems: Problem[],
  ) {}

  pos(node: Node | null | undefined): Pos {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, col: 1 };
    return this.lc.linePos(offset);
  }

  error(node: Node | null | undefined, message: string, hint?: string): undefined {
    this.problems.push({ severity: 'error', file: this.file, ...this.pos(node), message, hint });
    return undefined;
  }

  entries(node: Node | null, what: string): Entry[] | undefined {
    if (!isMap(node)) return this.error(node, `${what} must be a mapping (key: value)`);
    return node.items.map((p: Pair) => ({ key: isScalar(p.key) ? String(p.key.value) : String(p.key), keyNode: p.key as Node, value: (p.value as Node | null) ?? null }));
  }

  keys(entries: Entry[], allowed: readonly string[], where: string, extra?: (key: string) => boolean): void {
    for (const e of entries) {
      if (allowed.includes(e.key) || extra?.(e.key)) continue;
      const guess = closest(e.key, allowed);
      this.error(e.keyNode, `unknown key '${e.key}' in ${where}`, guess ? `did you mean '${guess}'?` : `allowed: ${allowed.join(', ')}`);
    }
  }

  text(node: Node | null, what: string): string | undefined {
    if (node === null) return '';
    if (!isScalar(node)) return this.error(node, `${what} must be a single value`);
    return String(node.value ?? '');
  }
}

/** What the rules know, to catch a typo in a case: the columns they read and the signals they use. */
export interface RulesVocabulary {
  /** Contact columns the rules read, in a fixed order: the header of every case's contact. */
  columns: string[];
  signals: Set<string>;
  stages: string[];
}

export function vocabularyOf(rules: Rules): RulesVocabulary {
  const columns = new Set<string>();
  if (rules.contacts.key !== undefined) columns.add(rules.contacts.key);
  if (rules.contacts.created !== undefined) columns.add(rules.contacts.created);
  for (const col of rules.fields.values()) columns.add(col);
  const signals = new Set<string>(rules.activities.types.values());
  for (const c of allConditions(rules)) {
    if (c.kind === 'field') columns.add(fieldColumn(rules, c.field));
    else if (c.kind === 'activity') c.signals.forEach((s) => signals.add(s));
  }
  for (const s of rules.scoring.points.keys()) signals.add(s);
  return { columns: [...columns], signals, stages: rules.stages.map((s) => s.id) };
}

/** The column a case's contact key names: a friendly name of `fields`, or a column the rules read. */
function contactColumn(key: string, rules: Rules, vocab: RulesVocabulary): string | undefined {
  const friendly = rules.fields.get(key);
  if (friendly !== undefined) return friendly;
  const k = norm(key);
  const col = vocab.columns.find((c) => norm(c) === k);
  if (col !== undefined) return col;
  // Without contacts.key, classify finds the email-like column: a case may give it.
  if (rules.contacts.key === undefined && guessColumn([key], EMAIL_COLUMN) === 0) return key;
  return undefined;
}

interface Parsed {
  c: CaseChecker;
  rules: Rules;
  vocab: RulesVocabulary;
  dateColumns: Set<string>;
  /** Slash dates seen, to decide (or fail to decide) their order per file. */
  eventHints: { hint: string; node: Node }[];
  contactHints: { hint: string; node: Node }[];
}

function parseContact(p: Parsed, node: Node | null, name: string): Map<string, string> {
  const out = new Map<string, string>();
  const es = p.c.entries(node, `the contact of case '${name}'`) ?? [];
  for (const e of es) {
    const col = contactColumn(e.key, p.rules, p.vocab);
    if (col === undefined) {
      const guess = closest(e.key, [...p.rules.fields.keys(), ...p.vocab.columns]);
      p.c.error(e.keyNode, `the rules read no column '${e.key}'`, guess ? `did you mean '${guess}'?` : `columns the rules read: ${p.vocab.columns.join(', ') || 'none'}`);
      continue;
    }
    if (out.has(col)) p.c.error(e.keyNode, `column '${col}' is given twice in the contact of case '${name}'`, 'a friendly name and its column are the same field');
    const v = p.c.text(e.value, `the value of '${e.key}'`);
    if (v === undefined) continue;
    out.set(col, v);
    if (p.dateColumns.has(col) && e.value) p.contactHints.push({ hint: slashHint(v), node: e.value });
  }
  return out;
}

function parseEvents(p: Parsed, node: Node | null, name: string): CaseEvent[] {
  const out: CaseEvent[] = [];
  if (!isSeq(node)) {
    p.c.error(node, `the activities of case '${name}' must be a list of { type: …, time: … }`);
    return out;
  }
  const tz = p.rules.activities.timezone;
  for (const item of node.items as Node[]) {
    const es = p.c.entries(item, `an activity of case '${name}'`);
    if (!es) continue;
    p.c.keys(es, EVENT_KEYS, `an activity of case '${name}'`);
    const type = es.find((e) => e.key === 'type');
    const time = es.find((e) => e.key === 'time');
    if (!type) {
      p.c.error(item, `an activity of case '${name}' needs a 'type'`, 'a raw label of your exports or a signal, e.g. { type: email_reply, time: 2026-10-28 }');
      continue;
    }
    const label = p.c.text(type.value, `'type'`);
    const when = time ? p.c.text(time.value, `'time'`) : '';
    if (label === undefined || when === undefined) continue;
    const signal = p.rules.activities.types.get(norm(label)) ?? snakeCase(label);
    if (!p.vocab.signals.has(signal)) {
      const labels = [...p.rules.activities.types.keys(), ...p.vocab.signals];
      const guess = closest(label, labels) ?? closest(snakeCase(label), labels);
      p.c.error(type.value, `the rules know no activity '${label}'${signal !== label ? ` (signal '${signal}')` : ''}`, guess ? `did you mean '${guess}'?` : 'use a label of activities.types or a signal the rules name');
      continue;
    }
    if (when.trim() !== '') {
      const hint = slashHint(when);
      if (hint === 'ambiguous') p.eventHints.push({ hint, node: time!.value! });
      else {
        if (hint === 'dmy' || hint === 'mdy') p.eventHints.push({ hint, node: time!.value! });
        if (Number.isNaN(parseDate(when, tz, 'dmy'))) {
          p.c.error(time!.value, `cannot read the date '${when}'`, 'write it as YYYY-MM-DD, YYYY-MM-DDTHH:mm:ssZ or as your exports do; leave time out for an undated event');
          continue;
        }
      }
    }
    out.push({ label, time: when, line: p.c.pos(item).line });
  }
  return out;
}

/** The value of one expectation, checked against the rules; undefined (with the problem recorded) when invalid. */
function expectationValue(p: Parsed, key: ExpectKey, node: Node | null, v: string): Expectation['value'] | undefined {
  const t = v.trim();
  switch (key) {
    case 'stage': {
      const ids = [...p.vocab.stages, 'disqualified'];
      if (ids.includes(t)) return t;
      const guess = closest(t, ids);
      return p.c.error(node, `no stage '${t}' in the rules`, guess ? `did you mean '${guess}'?` : `stages are: ${ids.join(', ')}`);
    }
    case 'contactable':
    case 'persona':
      return YES_NO[t.toLowerCase()] ?? p.c.error(node, `'${key}' must be yes or no, not '${v}'`);
    case 'score':
    case 'fit': {
      const n = t === '' ? NaN : Number(t);
      return Number.isFinite(n) ? n : p.c.error(node, `'${key}' must be a number, not '${v}'`, key === 'score' ? 'the score is compared within ±0.05' : undefined);
    }
    case 'sla': {
      const state = t.toLowerCase() === 'none' ? '' : t.toLowerCase();
      return state === '' || (SLA_STATES as readonly string[]).includes(state) ? state : p.c.error(node, `'sla' must be ${SLA_STATES.join(', ')}, not '${v}'`);
    }
  }
  if (!key.startsWith(BECAME_PREFIX)) return v;
  // A date (compared on its day) or a time; never (or empty) for a stage not reached.
  if (t === '' || t.toLowerCase() === 'never') return '';
  if (Number.isNaN(parseDate(t, p.rules.activities.timezone, 'dmy'))) return p.c.error(node, `cannot read the date '${v}' of '${key}'`, 'write it as YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ, or never');
  return t;
}

function parseExpect(p: Parsed, node: Node | null, name: string): Expectation[] {
  const out: Expectation[] = [];
  const es = p.c.entries(node, `the expectations of case '${name}'`) ?? [];
  const became = p.vocab.stages.slice(1).map((s) => `${BECAME_PREFIX}${s}`);
  p.c.keys(es, [...EXPECT_KEYS, ...became], `the expectations of case '${name}'`);
  if (es.length === 0) p.c.error(node, `case '${name}' expects nothing`, `add one of: ${EXPECT_KEYS.join(', ')}`);
  for (const e of es) {
    const key = e.key as ExpectKey;
    if (!(EXPECT_KEYS as readonly string[]).includes(key) && !became.includes(key)) continue;
    const pos = p.c.pos(e.value ?? e.keyNode);
    if (key === 'reason_contains' && isSeq(e.value)) {
      const texts = (e.value.items as Node[]).map((n) => p.c.text(n, `each value of 'reason_contains'`)).filter((t): t is string => t !== undefined);
      out.push({ key, value: texts, pos });
      continue;
    }
    const v = p.c.text(e.value, `'${key}'`);
    const value = v === undefined ? undefined : expectationValue(p, key, e.value, v);
    if (value !== undefined) out.push({ key, value, pos });
  }
  return out;
}

const YES_NO: Record<string, string> = { yes: 'yes', no: 'no', true: 'yes', false: 'no' };

function parseCase(p: Parsed, node: Node, index: number, fileAsOf: string | undefined): TestCase | undefined {
  const es = p.c.entries(node, 'a case');
  if (!es) return undefined;
  p.c.keys(es, CASE_KEYS, 'a case');
  const m = new Map(es.map((e) => [e.key, e]));
  const name = m.has('name') ? (p.c.text(m.get('name')!.value, `'name'`) ?? '') : `case ${index + 1}`;
  const asOfE = m.get('as_of');
  const asOf = asOfE ? checkAsOf(p, asOfE.value) : fileAsOf;
  const contact = m.has('contact') ? parseContact(p, m.get('contact')!.value, name) : new Map<string, string>();
  const events = m.has('activities') ? parseEvents(p, m.get('activities')!.value, name) : [];
  const expectE = m.get('expect');
  if (!expectE) p.c.error(node, `case '${name}' has no 'expect'`, `e.g. expect: { stage: lead }`);
  const expect = expectE ? parseExpect(p, expectE.value, name) : [];
  return { name, file: p.c.file, pos: p.c.pos(node), asOf, contact, events, expect };
}

function checkAsOf(p: Parsed, node: Node | null): string | undefined {
  const t = p.c.text(node, `'as_of'`);
  if (t === undefined) return undefined;
  if (Number.isNaN(parseDate(t, p.rules.activities.timezone, 'dmy'))) return p.c.error(node, `cannot read the date '${t}' of 'as_of'`, 'write it as YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ');
  return t.trim();
}

/** The order of slash dates in a file, as classify decides it: from a value with a part above 12. */
function decideOrder(p: Parsed, hints: { hint: string; node: Node }[], configured: Rules['activities']['dateOrder'], what: string): DateOrder | undefined {
  if (configured !== 'auto') return configured;
  const decided = hints.find((h) => h.hint === 'dmy' || h.hint === 'mdy');
  if (decided) return decided.hint as DateOrder;
  const ambiguous = hints.find((h) => h.hint === 'ambiguous');
  if (ambiguous) p.c.error(ambiguous.node, `cannot tell the order of the slash date '${String((ambiguous.node as { value?: unknown }).value)}': no ${what} date of this file has a day above 12`, 'set activities.date_order: dmy or mdy in the rules, or write YYYY-MM-DD');
  return undefined;
}

/** Whether YAML text is a cases file (top-level `cases:`), a rules file (`stages:`), or neither. */
export function kindOfYaml(text: string): 'cases' | 'rules' | 'both' | 'neither' {
  const doc = parseDocument(text, { schema: 'failsafe' });
  if (!isMap(doc.contents)) return 'neither';
  const keys = new Set(doc.contents.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')));
  if (keys.has('cases') && keys.has('stages')) return 'both';
  return keys.has('cases') ? 'cases' : keys.has('stages') ? 'rules' : 'neither';
}

/** Reads a cases file; problems (errors only) are appended to `problems`. */
export function loadCasesText(text: string, file: string, rules: Rules, problems: Problem[]): CasesFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const c = new CaseChecker(file, lc, problems);
  const out: CasesFile = { file, cases: [] };
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    const msg = e.code === 'DUPLICATE_KEY' ? 'duplicate key in one mapping' : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    problems.push({ severity: 'error', file, line: pos.line, col: pos.col, message: `YAML: ${msg}`, hint: 'check indentation and quoting' });
  }
  if (doc.errors.length) return out;
  if (doc.contents && isMap(doc.contents) && doc.contents.items.some((p) => isScalar(p.key) && p.key.value === '<<')) c.error(doc.contents, 'merge keys (<<) are not read in cases');
  const top = c.entries(doc.contents as Node | null, 'a cases file');
  if (!top) return out;
  c.keys(top, CASES_FILE_KEYS, 'the cases file');
  const p: Parsed = { c, rules, vocab: vocabularyOf(rules), dateColumns: new Set(dateColumnsOf(rules)), eventHints: [], contactHints: [] };
  const t = new Map(top.map((e) => [e.key, e]));
  const asOf = t.has('as_of') ? checkAsOf(p, t.get('as_of')!.value) : undefined;
  const list = t.get('cases')?.value ?? null;
  if (!isSeq(list) || list.items.length === 0) {
    c.error(list ?? t.get('cases')?.keyNode, `'cases' must be a non-empty list of cases`, 'each case: { name: …, contact: {…}, activities: […], expect: {…} }');
    return out;
  }
  (list.items as Node[]).forEach((item, i) => {
    const tc = parseCase(p, item, i, asOf);
    if (tc) out.cases.push(tc);
  });
  out.eventOrder = decideOrder(p, p.eventHints, rules.activities.dateOrder, 'activity');
  out.contactOrder = decideOrder(p, p.contactHints, rules.activities.dateOrder, 'contact');
  return out;
}
