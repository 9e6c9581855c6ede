/**
 * What a run that reads rules starts from, resolved once before the command runs: the rules (found, loaded,
 * validated, hashed) and the as-of instant (parsed once, in the rules' timezone). classify, explain, history,
 * sql, summary and diff take it as given, so none of them finds, loads or parses these on its own.
 */
import { parseAsOf } from '../values/dates.js';
import { discoverRules, loadRules, type LoadedRules, type RulesEnv } from './rules-source.js';

export interface RunSetup {
  rules: LoadedRules;
  /** Milliseconds: `--as-of` read in `rules.activities.timezone`, else now. */
  asOf: number;
}

/** What the user gave: `-r` and `--as-of`, as typed. */
export interface RunRequest {
  rules?: string;
  asOf?: string;
}

/** Where the run happens: the folder relative paths start from, the environment discovery reads, the clock. */
export interface RunPlace {
  cwd: string;
  env: RulesEnv;
  now?: () => number;
}

/** `-r` as given, else what discovery finds (SPEC §2); an unreadable or invalid rules file is a RulesError (exit 2). */
export function resolveRun(given: RunRequest, at: RunPlace): RunSetup {
  const rules = loadRules(given.rules ?? discoverRules(at.cwd, at.env), at.cwd);
  const asOf = given.asOf !== undefined ? parseAsOf(given.asOf, rules.rules.activities.timezone) : (at.now ?? Date.now)();
  return { rules, asOf };
}
