/**
 * `funnel test`: runs the cases of SPEC §9 through the very classifier `classify` uses. A case's activities are
 * folded by the same fold, into the same aggregates, as rows of an activities file would be; its contact is a
 * row whose unlisted columns are empty. So a case passes exactly when a real export would classify that way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { parseDate, isoTime } from '../values/dates.js';
import { TextRec } from '../input/text-rec.js';
import { planActivities } from '../aggregate/plan.js';
import { Aggregates } from '../aggregate/store.js';
import { createFolder } from '../aggregate/folder.js';
import type { ContactEvents } from '../aggregate/events.js';
import { Classifier, type Verdict } from '../classify/classifier.js';
import { BUILTIN_RULES_PATH, loadRulesText, type Problem } from '../rules/load.js';
import { kindOfYaml, loadCasesText, vocabularyOf, type CasesFile, type Expectation, type TestCase } from '../rules/cases.js';
import { BECAME_PREFIX, SCORE_TOLERANCE } from '../rules/grammar.js';
import { StageDates, createdAt, createdColumn, hasSla } from '../classify/stage-dates.js';
import type { Rules } from '../rules/model.js';
import type { CaseResult, Failure, Got, TestReport } from '../classify/test-result.js';
import { locateRules, problemsError } from './rules-source.js';

export const DEFAULT_CASES_FILE = 'funnel.test.yaml';

export interface TestOptions {
  /** The rules file and the cases files, in any order: told apart by their content. */
  files: string[];
  cwd: string;
  /** The rules the discovery of the CLI found (`$FUNNEL_RULES`, parent folders…), used when no file is the rules. */
  discovered?: string;
}

export interface TestIO {
  stdin?: Readable;
  warn(message: string): void;
  note(message: string): void;
  now?: () => number;
}

interface Source {
  name: string;
  path: string;
  text: string;
}

async function readSource(file: string, cwd: string, stdin: Readable | undefined, problems: Problem[]): Promise<Source | undefined> {
  if (file === '-') {
    if (!stdin) throw new UsageError('standard input is not available');
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return { name: '<stdin>', path: cwd, text };
  }
  const path = resolvePath(cwd, file);
  try {
    return { name: file, path, text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({ severity: 'error', file, line: 1, col: 1, message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code})`, hint: 'check the path' });
    return undefined;
  }
}

/** The rules and cases files of a run: by content among the arguments, else the default discovery. */
async function sources(opts: TestOptions, io: TestIO): Promise<{ rules: Source; cases: Source[] }> {
  if (opts.files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const problems: Problem[] = [];
  let rules: Source | undefined;
  const cases: Source[] = [];
  for (const f of opts.files) {
    const s = await readSource(f, opts.cwd, io.stdin, problems);
    if (!s) continue;
    const kind = kindOfYaml(s.text);
    if (kind === 'cases') cases.push(s);
    else if (kind === 'rules') {
      if (rules) throw new UsageError(`two rules files: ${rules.name} and ${s.name}`, {}, 'give one rules file and any number of cases files');
      rules = s;
    } else {
      problems.push({ severity: 'error', file: s.name, line: 1, col: 1, message: kind === 'both' ? `has both 'cases:' and 'stages:'` : `is neither a rules file ('stages:') nor a cases file ('cases:')`, hint: 'keep the rules and their cases in separate files' });
    }
  }
  if (problems.length) throw problemsError(problems);
  if (!rules) {
    const { path, name } = locateRules(opts.discovered, opts.cwd);
    const abs = resolvePath(opts.cwd, path);
    const text = await readSource(abs, opts.cwd, undefined, problems);
    if (!text) throw problemsError(problems.map((p) => ({ ...p, file: name })));
    rules = { name, path: abs, text: text.text };
  }
  if (cases.length === 0) {
    // Beside the rules; for the built-in rules, in the working folder.
    const dir = rules.path === BUILTIN_RULES_PATH || rules.name === '<stdin>' ? opts.cwd : dirname(rules.path);
    const path = join(dir, DEFAULT_CASES_FILE);
    if (!existsSync(path)) throw new UsageError(`no cases file: ${path} not found`, {}, `write one beside the rules (\`funnel init\` writes an example), or name it: funnel test ${rules.name} cases.yaml`);
    const name = rules.path === BUILTIN_RULES_PATH ? DEFAULT_CASES_FILE : join(dirname(rules.name), DEFAULT_CASES_FILE);
    cases.push({ name, path, text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') });
  }
  return { rules, cases };
}

function gotOf(v: Verdict): Got {
  return {
    stage: v.stage,
    score: v.score,
    fit: v.fit,
    persona: v.persona ? 'yes' : 'no',
    contactable: v.consent ? 'yes' : 'no',
    content: v.content,
    action: v.action,
    reason: v.reason,
    warnings: v.warnings,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The expectations that do not hold, each with what came instead. */
/** An expected stage date against the ISO time that came: a date alone is compared on its day in the rules' zone. */
function sameMoment(expected: string, got: string, tz: string): boolean {
  if (expected === '' || got === '') return expected === got;
  const t = Date.parse(got);
  if (/^\d{4}-\d{2}-\d{2}$/.test(expected)) return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t) === expected;
  return parseDate(expected, tz, 'dmy') === t;
}

function failuresOf(expect: readonly Expectation[], got: Got, tz: string): Failure[] {
  const out: Failure[] = [];
  for (const e of expect) {
    switch (e.key) {
      case 'score':
        if (!(Math.abs(got.score - (e.value as number)) <= SCORE_TOLERANCE + 1e-9)) out.push({ expectation: 'score', expected: e.value, got: round(got.score, 2) });
        break;
      case 'fit':
        if (!(Math.abs(got.fit - (e.value as number)) <= 1e-9)) out.push({ expectation: 'fit', expected: e.value, got: round(got.fit, 3) });
        break;
      case 'reason_contains': {
        const wanted = Array.isArray(e.value) ? e.value : [String(e.value)];
        const reason = got.reason.toLowerCase();
        const missing = wanted.filter((w) => !reason.includes(w.trim().toLowerCase()));
        if (missing.length) out.push({ expectation: 'reason_contains', expected: missing, got: got.reason });
        break;
      }
      case 'sla':
        if ((got.sla ?? '') !== e.value) out.push({ expectation: 'sla', expected: e.value === '' ? 'none' : e.value, got: got.sla || 'none' });
        break;
      case 'stage':
      case 'contactable':
      case 'persona':
      case 'content':
      case 'action': {
        const have = got[e.key];
        if (String(e.value).trim() !== have.trim()) out.push({ expectation: e.key, expected: e.value, got: have });
        break;
      }
      default: {
        const have = got.became?.[e.key.slice(BECAME_PREFIX.length)] ?? '';
        if (!sameMoment(String(e.value), have, tz)) out.push({ expectation: e.key, expected: e.value === '' ? 'never' : e.value, got: have === '' ? 'never' : have });
      }
    }
  }
  return out;
}

/** What one as-of's fold of the cases' activities gives: the plan and aggregates the classifier reads. */
interface Folded {
  asOf: number;
  plan: ReturnType<typeof planActivities>;
  aggs: Aggregates;
  events: ContactEvents;
}

/** The activities of a group of cases with one as-of, folded by classify's fold: one key per case. */
function foldCases(rules: Rules, file: CasesFile, group: { tc: TestCase; i: number }[], asOf: number, warn: (m: string) => void): Folded {
  const tz = rules.activities.timezone;
  // The order the file's own dates decided, as classify decides it per activities file.
  const foldRules: Rules = file.eventOrder ? { ...rules, activities: { ...rules.activities, dateOrder: file.eventOrder } } : rules;
  const plan = planActivities(rules, asOf);
  // Each event kept for the replay, which rules with an sla imply and stage-date expectations ask for.
  const aggs = new Aggregates(plan.counters.length, true);
  const folder = createFolder(file.file, { key: 0, type: 1, time: 2 }, { rules: foldRules, plan, aggs, warn });
  // A slot for every case, as classify's scan of the contacts takes one for every contact.
  for (const { i } of group) aggs.slot(`#${i}`);
  for (const { tc, i } of group) {
    for (const ev of tc.events) {
      // Ignored as classify ignores it; in a case it is more likely a slip than a wish.
      if (parseDate(ev.time, tz, file.eventOrder ?? (rules.activities.dateOrder === 'auto' ? undefined : rules.activities.dateOrder)) > asOf) warn(`${file.file}:${ev.line}: case '${tc.name}': an activity after its as_of (${isoTime(asOf)}) is ignored, as classify ignores it`);
      folder.visit(new TextRec([`#${i}`, ev.label, ev.time], ev.line));
    }
  }
  folder.finish();
  return { asOf, plan, aggs, events: aggs.events!.byContact(aggs.size) };
}

/** One case's contact classified as classify would: with the replay when the rules have an sla or the case asks for stage dates. */
function runCase(rules: Rules, file: CasesFile, tc: TestCase, i: number, f: Folded, warn: (m: string) => void): CaseResult {
  const tz = rules.activities.timezone;
  const vocab = vocabularyOf(rules);
  const headers = [...vocab.columns, ...[...tc.contact.keys()].filter((c) => !vocab.columns.includes(c))];
  const values = headers.map((h) => tc.contact.get(h) ?? '');
  const classifier = new Classifier(rules, { headers, asOf: f.asOf, plan: f.plan, aggs: f.aggs, dateOrder: file.contactOrder, warn });
  const slot = f.aggs.find(`#${i}`);
  const warnings: string[] = [];
  const replay = hasSla(rules) || tc.expect.some((e) => e.key === 'sla' || e.key.startsWith(BECAME_PREFIX));
  let got: Got;
  if (replay) {
    // As classify --stage-dates: the replay's floor, then the stage-date cells (which may set the SLA's action).
    const dates = new StageDates(rules, classifier, f.plan, f.events, f.asOf);
    const created = createdColumn(rules, headers, file.file);
    const tl = dates.replay(values, slot, createdAt(values, created, rules.contacts.created, tz, file.contactOrder, warnings));
    const v = classifier.classify(values, slot, warnings, tl.floor, dates.keptBy(tl));
    const cells = dates.cells(v, tl, undefined);
    got = { ...gotOf(v), sla: cells.sla, became: Object.fromEntries(rules.stages.slice(1).map((s, k) => [s.id, cells.added[k]!])) };
  } else got = gotOf(classifier.classify(values, slot, warnings));
  const failures = failuresOf(tc.expect, got, tz);
  return { name: tc.name, file: tc.file, line: tc.pos.line, as_of: isoTime(f.asOf), passed: failures.length === 0, failures, got };
}

/** Runs the cases of one file: per as-of, one fold of their activities (one key per case), then each contact. */
function runCases(rules: Rules, file: CasesFile, now: number, warn: (m: string) => void): CaseResult[] {
  const byAsOf = new Map<number, { tc: TestCase; i: number }[]>();
  file.cases.forEach((tc, i) => {
    const asOf = tc.asOf === undefined ? now : parseDate(tc.asOf, rules.activities.timezone, 'dmy');
    byAsOf.set(asOf, [...(byAsOf.get(asOf) ?? []), { tc, i }]);
  });
  const results: CaseResult[] = new Array<CaseResult>(file.cases.length);
  for (const [asOf, group] of byAsOf) {
    const folded = foldCases(rules, file, group, asOf, warn);
    for (const { tc, i } of group) results[i] = runCase(rules, file, tc, i, folded, warn);
  }
  return results;
}

/** Problems by file, then line and column, as a reader goes through the files. */
function inReadingOrder(problems: Problem[], files: string[]): Problem[] {
  return [...problems].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.col - b.col);
}

export async function runTests(opts: TestOptions, io: TestIO): Promise<TestReport> {
  const src = await sources(opts, io);
  const loaded = loadRulesText(src.rules.text, src.rules.name);
  if (!loaded.rules) throw problemsError(loaded.problems);
  const rules = loaded.rules;
  io.note(`rules: ${src.rules.name}`);
  for (const w of loaded.problems) if (w.severity === 'warning') io.warn(`${w.file}:${w.line}:${w.col}: ${w.message}${w.hint ? ` — ${w.hint}` : ''}`);
  const problems: Problem[] = [];
  const files = src.cases.map((s) => loadCasesText(s.text, s.name, rules, problems));
  if (problems.length) throw problemsError(inReadingOrder(problems, src.cases.map((c) => c.name)));
  const now = (io.now ?? Date.now)();
  const cases = files.flatMap((f) => runCases(rules, f, now, io.warn));
  const passed = cases.filter((c) => c.passed).length;
  return { rules: src.rules.name, cases, passed, failed: cases.length - passed };
}
