/**
 * Creates an output folder and its missing parents one at a time. Not `fs.mkdir(…, { recursive: true })`: under
 * /proc, where procfs answers ENOENT to every mkdir, that loops forever at 100% CPU (PITFALLS).
 */
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Returns the folders created, outermost first; throws the system's error (ENOENT, EACCES, ENOTDIR…). */
export function makeFolder(abs: string): string[] {
  const missing: string[] = [];
  for (let p = abs; ; ) {
    try {
      statSync(p);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.unshift(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
    }
  }
  const made: string[] = [];
  try {
    for (const m of missing) {
      mkdirSync(m);
      made.push(m);
    }
  } catch (e) {
    removeFolders(made);
    throw e;
  }
  return made;
}

/** Removes folders makeFolder created, innermost first, as long as they are empty. */
export function removeFolders(made: readonly string[]): void {
  for (const m of [...made].reverse()) {
    try {
      rmdirSync(m);
    } catch {
      return;
    }
  }
}
