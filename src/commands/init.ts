/**
 * `funnel init`: writes the commented example rules and, beside them, example cases for `funnel test` that pass
 * on them — never over an existing file unless forced.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { BUILTIN_RULES_PATH } from '../rules/load.js';
import { AtomicFile } from '../output/atomic.js';
import { DEFAULT_CASES_FILE } from './test.js';

/** The example cases, shipped with the package; a test runs them on the built-in rules. */
export const EXAMPLE_CASES_PATH = fileURLToPath(new URL('../../funnel.test.example.yaml', import.meta.url));

/** The text `init` writes as rules (and `init -` prints). */
export function exampleRules(): Buffer {
  return readFileSync(BUILTIN_RULES_PATH);
}

async function write(path: string, content: Buffer | string): Promise<void> {
  const f = new AtomicFile(path);
  f.stream.write(content);
  try {
    await f.commit();
  } catch (e) {
    await f.abort();
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {}, 'check that the folder exists and is writable');
  }
}

export async function init(path: string, force: boolean): Promise<{ path: string; cases: string }> {
  const cases = join(dirname(path), DEFAULT_CASES_FILE);
  for (const p of [path, cases]) if (existsSync(p) && !force) throw new UsageError(`${p} already exists`, {}, 'pass --force to overwrite it, or name another path');
  await write(path, exampleRules());
  await write(cases, readFileSync(EXAMPLE_CASES_PATH));
  return { path, cases };
}
