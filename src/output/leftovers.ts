/**
 * What a killed run (SIGKILL, out of memory) left in a folder, removed by the next run writing there: temporary
 * files of processes that are gone, and their locks. A live run's files are left alone; nothing that is not
 * named as funnel names its own files (names.ts) is ever touched.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isLockName, tempPid } from './names.js';
import { removeStaleLock, type ProcessInfo } from './lock.js';

/** Removes what dead funnel runs left in `dir`; returns the names removed. */
export function cleanLeftovers(dir: string, me: ProcessInfo): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempPid(name);
    if (pid !== undefined) {
      if (pid === me.pid || me.isAlive(pid)) continue;
      try {
        rmSync(join(dir, name), { force: true });
        removed.push(name);
      } catch {
        /* not ours to remove after all (permissions): leave it */
      }
    } else if (isLockName(name) && removeStaleLock(join(dir, name), me)) removed.push(name);
  }
  return removed;
}
