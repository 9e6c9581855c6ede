/** Which rules a command uses, loaded and validated: the one place where the lookup order lives. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RulesError } from '../errors.js';
import { BUILTIN_RULES_PATH, formatProblem, readRulesFile, type Problem } from '../rules/load.js';
import type { Rules } from '../rules/model.js';

export interface LoadedRules {
  rules: Rules;
  /** What the run used: the path, or `built-in`. */
  source: string;
  sha256: string;
  warnings: Problem[];
}

/** `-r` if given, else ./funnel.yaml, else ./rules.yaml, else the built-in rules (= rules.example.yaml). */
export function locateRules(explicit: string | undefined, cwd: string): { path: string; name: string } {
  if (explicit !== undefined) return { path: explicit, name: explicit };
  for (const name of ['funnel.yaml', 'rules.yaml']) {
    const p = join(cwd, name);
    if (existsSync(p)) return { path: p, name: `./${name}` };
  }
  return { path: BUILTIN_RULES_PATH, name: 'built-in' };
}

export function problemsError(problems: readonly Problem[]): RulesError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0]!;
  const errs = errors.map((p) => new RulesError(p.message, { file: p.file, line: p.line, col: p.col }, p.hint));
  return new RulesError(first.message, { file: first.file, line: first.line, col: first.col }, first.hint, errs);
}

export function loadRules(explicit: string | undefined, cwd: string): LoadedRules {
  const { path, name } = locateRules(explicit, cwd);
  const result = readRulesFile(path, name);
  if (!result.rules) throw problemsError(result.problems);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    /* read just above; a race here only loses the hash */
  }
  return {
    rules: result.rules,
    source: name,
    sha256: createHash('sha256').update(text).digest('hex'),
    warnings: result.problems.filter((p) => p.severity === 'warning'),
  };
}

export { formatProblem };
