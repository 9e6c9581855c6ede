/**
 * Locks that keep overlapping runs apart: an `--out-dir` run holds `.funnel.lock` in the folder, a run writing
 * one file holds `.<file>.lock` beside it (names.ts). The lock holds `{"tool":"funnel","pid","host","token"}`.
 *
 *   const lock = await Lock.acquire(join(dir, FOLDER_LOCK), 'funnel-out', { ...me, waitMs });
 *   …
 *   lock.release();   // synchronous, safe in a signal handler; removes the file only while it is still ours
 *
 * A lock is created complete or not at all (written under a temporary name, then hard-linked into place). A lock
 * of a process of this host that is gone is taken over: renamed aside — only one run can — and checked to be
 * the dead one's (else put back). Busy past `waitMs` (polled every 100 ms): an OutputError, exit 1, naming the
 * holder's pid. Locks are advisory, between funnel runs.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutputError } from '../errors.js';
import { tempName } from './names.js';

export interface ProcessInfo {
  pid: number;
  host: string;
  /** Whether the process with that pid (on this host) is running. */
  isAlive(pid: number): boolean;
}

export interface LockOptions extends ProcessInfo {
  /** How long to wait for a busy lock, in ms; 0 fails at once. */
  waitMs: number;
}

interface Holder {
  pid: number;
  host: string;
  token?: string;
}

/** The holder a funnel lock file names, or undefined when it is not one (or gone). */
export function lockHolder(path: string): Holder | undefined {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as { tool?: unknown; pid?: unknown; host?: unknown; token?: unknown };
    if (j.tool !== 'funnel' || typeof j.pid !== 'number' || typeof j.host !== 'string') return undefined;
    return { pid: j.pid, host: j.host, token: typeof j.token === 'string' ? j.token : undefined };
  } catch {
    return undefined;
  }
}

function isDead(h: Holder | undefined, me: ProcessInfo): h is Holder {
  return !!h && h.host === me.host && h.pid !== me.pid && !me.isAlive(h.pid);
}

/** Removes a lock whose holder is gone; false when it is held, not funnel's, or another run removed it first. */
export function removeStaleLock(path: string, me: ProcessInfo): boolean {
  const h = lockHolder(path);
  if (!isDead(h, me)) return false;
  const aside = join(dirname(path), tempName(basename(path), me.pid));
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const got = lockHolder(aside);
  if (got && got.pid === h.pid && got.token === h.token) {
    rmSync(aside, { force: true });
    return true;
  }
  // Another run took the stale lock over between the read and the rename: its lock goes back.
  try {
    linkSync(aside, path);
  } catch {
    /* a third run holds it now */
  }
  rmSync(aside, { force: true });
  return false;
}

/** Creates the lock file complete; false when it exists. Other errors (EACCES, EROFS, ENOSPC…) are thrown. */
function create(path: string, content: string, pid: number): boolean {
  const draft = join(dirname(path), tempName(basename(path), pid));
  writeFileSync(draft, content, { flag: 'wx' });
  try {
    linkSync(draft, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // A file system without hard links: an exclusive create, written at once.
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

export class Lock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  /** `where` names the folder or file in the message a busy lock gives. */
  static async acquire(path: string, where: string, opts: LockOptions): Promise<Lock> {
    const token = randomBytes(6).toString('hex');
    const content = `${JSON.stringify({ tool: 'funnel', pid: opts.pid, host: opts.host, token })}\n`;
    const deadline = Date.now() + opts.waitMs;
    for (;;) {
      if (create(path, content, opts.pid)) return new Lock(path, token);
      const h = lockHolder(path);
      if (isDead(h, opts)) {
        removeStaleLock(path, opts);
        continue;
      }
      if (!h && !existsSync(path)) continue;
      const left = deadline - Date.now();
      if (left <= 0) throw busy(path, where, h, opts);
      await sleep(Math.min(100, left));
    }
  }

  release(): void {
    if (lockHolder(this.path)?.token === this.token) rmSync(this.path, { force: true });
  }
}

function busy(path: string, where: string, h: Holder | undefined, opts: LockOptions): OutputError {
  const waited = opts.waitMs > 0 ? `, still after --wait` : '';
  if (!h) return new OutputError(`${basename(path)} is in the way and is not a funnel lock${waited}`, { file: where }, `remove ${path} if no funnel run is writing here`);
  const who = h.host === opts.host ? `pid ${h.pid}` : `pid ${h.pid} on ${h.host}`;
  return new OutputError(`another funnel run (${who}) is writing here${waited}`, { file: where }, 'let it finish, or give --wait 10m to queue behind it');
}
