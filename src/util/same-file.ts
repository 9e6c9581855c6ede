import { realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

/** Whether two paths name the same file (through links); by their absolute paths when one does not exist. */
export function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolvePath(a) === resolvePath(b);
  }
}
