/**
 * `funnel explain`: the whole story of one contact — its activity, score, fit, persona, consent, each
 * disqualify rule and each stage's condition tree with every atom held or not, and the stage chosen. It runs
 * the same classifier as `classify`, on the same aggregates, so the two always agree.
 */
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { inputRef, type InputRef } from '../input/bytes.js';
import { openTable, tableRows, type ReadOptions } from '../input/table.js';
import { scanContacts, type ContactScan } from '../input/contacts.js';
import { withReadableTwice } from '../input/read-twice.js';
import { contactDateColumns } from '../aggregate/contact-keys.js';
import type { Rules } from '../rules/model.js';
import { isoDay, isoTime } from '../values/dates.js';
import { planActivities } from '../aggregate/plan.js';
import { Aggregates } from '../aggregate/store.js';
import { normalizeKey } from '../values/keys.js';
import { foldActivities, type EventDetail } from '../aggregate/fold.js';
import { Classifier } from '../classify/classifier.js';
import type { ExplainResult, SignalLine } from '../classify/explain-result.js';
import { explainDates } from '../classify/explain-dates.js';
import { duplicateKey } from '../classify/reasons.js';
import { createdAt, createdColumn, hasSla } from '../classify/stage-dates.js';
import { formatProblem } from './rules-source.js';
import type { RunSetup } from './run-setup.js';
import { checkFieldColumns } from './field-columns.js';

/** The rules and the as-of come resolved (run-setup.ts). */
export interface ExplainOptions extends RunSetup {
  contacts: string[];
  activities: string[];
  contact: string;
  cwd: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
  /** Title lines before the CSV header (`--skip-lines`). */
  skipLines?: number;
  /** 'csv-parse': every CSV read by csv-parse, as a reference for the byte tokenizer (tests). */
  parser?: 'fast' | 'csv-parse';
  /** The stage where the replay ends, as classify --stage-dates gives it (implied by rules with an sla). */
  stageDates?: boolean;
}

export interface ExplainIO {
  stdin?: Readable;
  warn(message: string): void;
  note(message: string): void;
}

export async function explain(opts: ExplainOptions, io: ExplainIO): Promise<ExplainResult> {
  if (opts.contact.trim() === '') throw new UsageError('--contact needs a key', {}, 'e.g. --contact ana@acme.io');
  const loaded = opts.rules;
  const { rules } = loaded;
  io.note(`rules: ${loaded.source}`);
  for (const w of loaded.warnings) io.warn(formatProblem(w));
  const { asOf } = opts;
  const key = normalizeKey(opts.contact, rules.contacts.normalize);
  if (opts.contacts.includes('-') && opts.activities.includes('-')) throw new UsageError('standard input (-) can be read only once');
  const read: ReadOptions = { stdin: io.stdin, encoding: opts.encoding, delimiter: opts.delimiter, noHeader: opts.noHeader, skipLines: opts.skipLines, warn: io.warn, parser: opts.parser };

  const plan = planActivities(rules, asOf);
  const aggs = new Aggregates(plan.counters.length, true);
  const events: EventDetail[] = [];
  const bySignal = new Map<string, SignalLine>();
  const used = new Set(plan.signals);
  const onEvent = (e: EventDetail): void => {
    events.push(e);
    if (e.signal === '') return;
    let s = bySignal.get(e.signal);
    if (!s) {
      s = { signal: e.signal, labels: [], events: 0, undated: 0, last: null, last_day: null, points: 0, used: used.has(e.signal) };
      bySignal.set(e.signal, s);
    }
    s.events++;
    if (!s.labels.includes(e.label.trim())) s.labels.push(e.label.trim());
    if (Number.isNaN(e.time)) s.undated++;
    else if (s.last === null || isoTime(e.time) > s.last) {
      s.last = isoTime(e.time);
      s.last_day = isoDay(e.time, rules.activities.timezone);
    }
    s.points += e.points;
  };
  for (const path of opts.activities) {
    const table = await openTable(inputRef(path, opts.cwd), read);
    if (table.headers.length === 0) continue;
    await foldActivities(table, { rules, plan, aggs, warn: io.warn, only: { key, onEvent } });
  }

  const { scan, rows } = await withReadableTwice(opts.contacts, opts.cwd, io.stdin, (refs) => contactRows(refs, read, rules, key));
  if (rows.length === 0) throw new InputError(`no contact with key '${opts.contact}'`, { file: opts.contacts.map((p) => inputRef(p, opts.cwd).name).join(', ') }, `keys are compared ${rules.contacts.normalize === 'email' ? 'trimmed and lowercased' : 'exactly'}; check the spelling`);
  const first = rows[0]!;
  const slot = aggs.find(key);
  const dateOrder = rules.activities.dateOrder === 'auto' ? scan.dateOrder : rules.activities.dateOrder;
  const classifier = new Classifier(rules, { headers: first.headers, asOf, plan, aggs, dateOrder, warn: io.warn });
  checkFieldColumns(classifier.missing, [first.file], first.headers, loaded.source === 'built-in', io.warn);
  const warnings: string[] = [];
  const created = createdAt(first.values, createdColumn(rules, first.headers, first.file), rules.contacts.created, rules.activities.timezone, dateOrder, warnings);
  const replayed = opts.stageDates === true || hasSla(rules);
  let explanation = classifier.explain(first.values, slot);
  const { dates } = explainDates(rules, classifier, plan, aggs, asOf, { values: first.values, slot, created }, events, (floor, keptBy) => {
    if (replayed) explanation = classifier.explain(first.values, slot, floor, keptBy);
    return replayed ? explanation.verdict : { ...explanation.verdict };
  });
  explanation.verdict.warnings.push(...warnings);
  if (rows.length > 1) explanation.verdict.warnings.unshift(duplicateKey(rows.length));
  const hl = rules.scoring.halfLifeMs;
  return {
    key,
    as_of: isoTime(asOf),
    rules: loaded.source,
    half_life: hl === undefined ? null : `${Math.round((hl / 86_400_000) * 100) / 100}d`,
    rows: rows.map((r) => ({ file: r.file, line: r.line })),
    signals: [...bySignal.values()].sort((a, b) => Number(b.used) - Number(a.used) || b.events - a.events || a.signal.localeCompare(b.signal)),
    score: aggs.scoreOf(slot),
    explanation,
    stage_dates: dates,
  };
}

interface ContactRow {
  file: string;
  line: number;
  values: string[];
  headers: string[];
}

/** The rows of the contact `key` (normalised), after the first pass over the contacts. */
async function contactRows(refs: InputRef[], read: ReadOptions, rules: Rules, key: string): Promise<{ scan: ContactScan; rows: ContactRow[] }> {
  const scan = await scanContacts(refs, { read, keyName: rules.contacts.key, normalize: rules.contacts.normalize, dateColumns: contactDateColumns(rules) });
  const rows: ContactRow[] = [];
  for (const f of scan.files) {
    const table = await openTable(f.ref, { ...read, headers: f.headers });
    for await (const row of tableRows(table)) {
      if (normalizeKey(row.values[f.keyColumn] ?? '', rules.contacts.normalize) === key) rows.push({ file: table.file, line: row.line, values: row.values, headers: f.headers });
    }
  }
  return { scan, rows };
}
