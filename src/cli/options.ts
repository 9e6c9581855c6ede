/**
 * Options several commands share, each declared once — its flags, its parser, its check — with the help line
 * its command gives it; and the run they set up: the rules and the as-of, resolved once (resolveRun).
 */
import { Option } from 'commander';
import type { RunSetup } from '../commands/run-setup.js';
import type { Terminal } from './io.js';

/** `-r` and `--as-of` as commander gives them. */
export interface RunFlags {
  rules?: string;
  asOf?: string;
}

export const RULES_HELP = 'rules file (default ./funnel.yaml, else ./rules.yaml, else the built-in rules)';

export function rulesOption(help: string = RULES_HELP): Option {
  return new Option('-r, --rules <file>', help);
}

export function asOfOption(help: string): Option {
  return new Option('--as-of <date>', help);
}

export function prefixOption(help: string): Option {
  return new Option('--prefix <prefix>', help).default('funnel_');
}

export function waitOption(help: string): Option {
  return new Option('--wait <duration>', help);
}

export function activitiesOption(help = 'activity exports, one row per event'): Option {
  return new Option('-a, --activities <files...>', help);
}

/**
 * The rules (`-r`, else discovered from the Terminal's folder and environment) and the as-of, resolved once.
 * Loaded when a command runs: the rules loader (and YAML) cost a third of the start-up of `funnel --version`.
 */
export async function runOf(o: RunFlags, term: Terminal): Promise<RunSetup> {
  const { resolveRun } = await import('../commands/run-setup.js');
  return resolveRun({ rules: o.rules, asOf: o.asOf }, { cwd: term.cwd, env: term.env });
}
