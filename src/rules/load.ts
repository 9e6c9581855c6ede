/**
 * Reads a rules file and validates it completely: every problem is collected with its line and column in
 * the YAML source, so a marketer fixes them all in one go. The result is the plain `Rules` model, every default
 * filled (consumers read it as it is).
 *
 * The work is split by responsibility: checker.ts (the positioned YAML checker), conditions.ts (condition
 * parsing), one function per section (sections.ts: contacts, activities, fields; scoring.ts: scoring, persona,
 * consent; stages.ts: disqualify, stages), references.ts (stage references, cycles, unused points). Sections are
 * read in the file's order of meaning, so problems are reported in that order whatever the YAML's order.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isScalar } from 'yaml';
import { Checker, RulesTooLarge, entryMap, type Problem } from './checker.js';
import type { CondContext } from './conditions.js';
import { checkStageRefs, warnUnusedPoints } from './references.js';
import { parseConsent, parsePersona, parseScoring } from './scoring.js';
import { parseActivities, parseContacts, parseFields, type Positions } from './sections.js';
import { parseDisqualify, parseStages } from './stages.js';
import { RULES_FILE, keysOf, shapeOf } from './grammar.js';
import type { Rules } from './model.js';

export { MAX_ALIAS_EXPANSION, MAX_CONDITIONS, type Problem } from './checker.js';

export interface LoadResult {
  rules?: Rules;
  problems: Problem[];
}

/** The built-in rules are the example file shipped with the package, so the two cannot drift apart. */
export const BUILTIN_RULES_PATH = fileURLToPath(new URL('../../rules.example.yaml', import.meta.url));

const TOP_KEYS = keysOf(RULES_FILE);

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
  const c = Checker.parse(text, file);
  if (c.problems.length) return { problems: c.problems };
  const root = c.resolve(c.doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    c.error(root, 'the rules file is empty', 'start from `funnel init`, which writes a commented example');
    return { problems: c.problems };
  }
  const top = c.entries(root, 'the rules file');
  if (!top) return { problems: c.problems };
  c.keys(top, TOP_KEYS, 'the rules file');
  const t = entryMap(top);

  const version = t.get('version');
  const v = version && c.scalar(version.value, `'version'`);
  if (v !== undefined && v !== 1 && v !== '1') c.error(version!.value, `unsupported rules version ${String(v)}`, 'this funnel reads version: 1');

  const positions: Positions = new Map();
  const contacts = parseContacts(c, t.get('contacts'), positions);
  const { activities, signals } = parseActivities(c, t.get('activities'), positions);
  const cx: CondContext = { c, tz: activities.timezone, stageRefs: [] };
  const fields = parseFields(c, t.get('fields'), positions);
  const { scoring, pointNodes } = parseScoring(cx, t.get('scoring'));
  const persona = parsePersona(cx, t.get('persona'));
  const consent = parseConsent(cx, t.get('consent'));
  const disqualify = parseDisqualify(cx, t.get('disqualify'));
  const { stages, stageNodes } = parseStages(cx, t.get('stages'), root);

  checkStageRefs(c, cx.stageRefs, stageNodes);
  warnUnusedPoints(c, pointNodes, signals, { stages, disqualify, scoring, persona, consent });

  const allow = t.get('allow_regression');
  const allowRegression = (allow && (c.typed(allow.value, shapeOf(RULES_FILE, 'allow_regression'), `'allow_regression'`) as boolean | undefined)) ?? false;

  if (c.hasErrors()) return { problems: c.problems };
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
