/**
 * `funnel init`: writes the commented example rules and, beside them, example cases for `funnel test` that pass
 * on them, and the JSON Schemas both files name on their first line so that editors complete and check them —
 * never over an existing file unless forced. The files are one run's outputs, committed together.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { BUILTIN_RULES_PATH } from '../rules/load.js';
import { OutputRun, libraryEnv, type OutputEnv } from '../output/commit.js';
import { DEFAULT_CASES_FILE } from './test.js';
import { CASES_SCHEMA_FILE, SCHEMA_FILE, schemaComment, schemaText } from './schema.js';

/** The example cases, shipped with the package; a test runs them on the built-in rules. */
export const EXAMPLE_CASES_PATH = fileURLToPath(new URL('../../funnel.test.example.yaml', import.meta.url));

/** The text `init` writes as rules (and `init -` prints). */
export function exampleRules(): Buffer {
  return readFileSync(BUILTIN_RULES_PATH);
}

export interface InitResult {
  /** Every file written, the rules first. */
  files: string[];
}

export async function init(path: string, force: boolean, env: OutputEnv = libraryEnv('.')): Promise<InitResult> {
  const dir = dirname(path);
  const files: [string, string][] = [
    [path, schemaComment(SCHEMA_FILE) + exampleRules().toString('utf8')],
    [join(dir, DEFAULT_CASES_FILE), schemaComment(CASES_SCHEMA_FILE) + readFileSync(EXAMPLE_CASES_PATH, 'utf8')],
    [join(dir, SCHEMA_FILE), schemaText('rules')],
    [join(dir, CASES_SCHEMA_FILE), schemaText('cases')],
  ];
  const at = (p: string): string => resolve(env.cwd, p);
  // A schema already there as this version writes it (another rules file of the folder) is left as it is.
  const todo = files.filter(([p, content]) => !(p.endsWith('.json') && existsSync(at(p)) && readFileSync(at(p), 'utf8') === content));
  for (const [p] of todo) if (existsSync(at(p)) && !force) throw new UsageError(`${p} already exists`, {}, 'pass --force to overwrite it, or name another path');
  // The files are one run's outputs, committed together; the package's own files are its inputs.
  const run = new OutputRun(env);
  run.input(BUILTIN_RULES_PATH, 'the rules file');
  run.input(EXAMPLE_CASES_PATH, 'the example cases');
  const outs = todo.map(([p, content]) => ({ out: run.file(p, 'init'), content }));
  await run.open();
  try {
    for (const o of outs) await o.out.write(o.content);
    await run.commit();
  } finally {
    run.abort();
  }
  return { files: todo.map(([p]) => p) };
}
