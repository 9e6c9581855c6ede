/** `funnel init`: writes the commented example rules, never over an existing file unless forced. */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { BUILTIN_RULES_PATH } from '../rules/load.js';
import { AtomicFile } from '../output/atomic.js';

export async function init(path: string, force: boolean): Promise<{ path: string }> {
  if (existsSync(path) && !force) throw new UsageError(`${path} already exists`, {}, 'pass --force to overwrite it, or name another path');
  const f = new AtomicFile(path);
  f.stream.write(readFileSync(BUILTIN_RULES_PATH));
  try {
    await f.commit();
  } catch (e) {
    await f.abort();
    throw new UsageError(`cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {}, 'check that the folder exists and is writable');
  }
  return { path };
}
