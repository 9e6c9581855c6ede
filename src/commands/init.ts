/**
 * `funnel init`: writes the commented example rules and, beside them, example cases for `funnel test` that pass
 * on them, and the JSON Schemas both files name on their first line so that editors complete and check them —
 * never over an existing file unless forced.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { BUILTIN_RULES_PATH } from '../rules/load.js';
import { AtomicFile } from '../output/atomic.js';
import { DEFAULT_CASES_FILE } from './test.js';
import { CASES_SCHEMA_FILE, SCHEMA_FILE, schemaComment, schemaText } from './schema.js';

/** The example cases, shipped with the package; a test runs them on the built-in rules. */
export const EXAMPLE_CASES_PATH = fileURLToPath(new URL('../../funnel.test.example.yaml', import.meta.url));

/** The text `init` writes as rules (and `init -` prints). */
export function exampleRules(): Buffer {
  return readFileSync(BUILTIN_RULES_PATH);
}

async function write(path: string, content: string): Promise<void> {
  const f = new AtomicFile(path);
  f.stream.write(content);
  try {
    await f.commit();
  } catch (e) {
    await f.abort();
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {}, 'check that the folder exists and is writable');
  }
}

export interface InitResult {
  /** Every file written, the rules first. */
  files: string[];
}

export async function init(path: string, force: boolean): Promise<InitResult> {
  const dir = dirname(path);
  const files: [string, string][] = [
    [path, schemaComment(SCHEMA_FILE) + exampleRules().toString('utf8')],
    [join(dir, DEFAULT_CASES_FILE), schemaComment(CASES_SCHEMA_FILE) + readFileSync(EXAMPLE_CASES_PATH, 'utf8')],
    [join(dir, SCHEMA_FILE), schemaText('rules')],
    [join(dir, CASES_SCHEMA_FILE), schemaText('cases')],
  ];
  // A schema already there as this version writes it (another rules file of the folder) is left as it is.
  const todo = files.filter(([p, content]) => !(p.endsWith('.json') && existsSync(p) && readFileSync(p, 'utf8') === content));
  for (const [p] of todo) if (existsSync(p) && !force) throw new UsageError(`${p} already exists`, {}, 'pass --force to overwrite it, or name another path');
  for (const [p, content] of todo) await write(p, content);
  return { files: todo.map(([p]) => p) };
}
