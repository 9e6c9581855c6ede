/** Which rules a command uses, loaded and validated: the one place where the lookup order lives. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { RulesError } from '../errors.js';
import { BUILTIN_RULES_PATH, formatProblem, readRulesFile, type Problem } from '../rules/load.js';
import type { Rules } from '../rules/model.js';

export interface LoadedRules {
  rules: Rules;
  /** What the run used: the path, or `built-in`. */
  source: string;
  /** The file read (for the built-in rules, the package's rules.example.yaml): outputs never replace it. */
  path: string;
  sha256: string;
  warnings: Problem[];
}

/** `-r` if given, else ./funnel.yaml, else ./rules.yaml, else the built-in rules (= rules.example.yaml); the CLI passes what discoverRules found as `explicit`. */
export function locateRules(explicit: string | undefined, cwd: string): { path: string; name: string } {
  if (explicit !== undefined) return { path: explicit, name: explicit };
  for (const name of ['funnel.yaml', 'rules.yaml']) {
    const p = join(cwd, name);
    if (existsSync(p)) return { path: p, name: `./${name}` };
  }
  return { path: BUILTIN_RULES_PATH, name: 'built-in' };
}

/** What rules discovery reads of the environment (injected: only the CLI reads the process). */
export interface RulesEnv {
  FUNNEL_RULES?: string;
  HOME?: string;
}

const RULES_NAMES = ['funnel.yaml', 'rules.yaml'];

/**
 * The rules a run uses when `-r` is absent (SPEC §2, clig.dev's order — flags, environment, files):
 * `$FUNNEL_RULES`, else `./funnel.yaml` or `./rules.yaml`, else the same names in the parent folders up to
 * the repository root (a folder holding `.git`) or the home folder; undefined means the built-in rules.
 * The path is given as the user would write it from `cwd` (`../funnel.yaml`).
 */
export function discoverRules(cwd: string, env: RulesEnv): string | undefined {
  if (env.FUNNEL_RULES !== undefined && env.FUNNEL_RULES.trim() !== '') return env.FUNNEL_RULES;
  const home = env.HOME ? resolve(env.HOME) : undefined;
  let dir = resolve(cwd);
  for (;;) {
    for (const name of RULES_NAMES) {
      const p = join(dir, name);
      if (existsSync(p) && statSync(p).isFile()) return dir === resolve(cwd) ? `./${name}` : relative(cwd, p);
    }
    const parent = dirname(dir);
    if (dir === home || existsSync(join(dir, '.git')) || parent === dir) return undefined;
    dir = parent;
  }
}

export function problemsError(problems: readonly Problem[]): RulesError {
  const errors = problems.filter((p) => p.severity === 'error');
  const first = errors[0]!;
  const errs = errors.map((p) => new RulesError(p.message, { file: p.file, line: p.line, col: p.col }, p.hint));
  return new RulesError(first.message, { file: first.file, line: first.line, col: first.col }, first.hint, errs);
}

export function loadRules(explicit: string | undefined, cwd: string): LoadedRules {
  const { path, name } = locateRules(explicit, cwd);
  // Read from the run's folder (the Terminal's, not necessarily the process's); `path` stays as given, for messages.
  const at = resolve(cwd, path);
  const result = readRulesFile(at, name);
  if (!result.rules) throw problemsError(result.problems);
  let bytes: Buffer = Buffer.alloc(0);
  try {
    bytes = readFileSync(at);
  } catch {
    /* read just above; a race here only loses the hash */
  }
  return {
    rules: result.rules,
    source: name,
    path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    warnings: result.problems.filter((p) => p.severity === 'warning'),
  };
}

export { formatProblem };
