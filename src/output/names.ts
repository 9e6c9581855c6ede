/**
 * The names funnel gives its own files in an output folder (SPEC §11): `.funnel.lock` (an `--out-dir` run),
 * `.<file>.lock` (a run writing that one file), `.funnel-manifest.json`, and temporary files
 * `.<name>.<pid>.<6 hex>.tmp` — outputs being written, stdin copies, drafts of locks and manifests.
 */
import { randomBytes } from 'node:crypto';

export const FOLDER_LOCK = '.funnel.lock';
export const MANIFEST = '.funnel-manifest.json';

export function fileLockName(name: string): string {
  return `.${name}.lock`;
}

export function tempName(name: string, pid: number): string {
  return `.${name}.${pid}.${randomBytes(3).toString('hex')}.tmp`;
}

/** The pid in a temporary file's name, or undefined when the name is not one of funnel's. */
export function tempPid(name: string): number | undefined {
  const m = /^\..+\.(\d+)\.[0-9a-f]{6}\.tmp$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function isLockName(name: string): boolean {
  return /^\..+\.lock$/.test(name);
}
