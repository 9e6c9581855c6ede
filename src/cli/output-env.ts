/**
 * The process as the output layer needs it (src/output/commit.ts): pid, host, whether another pid lives,
 * `--wait`, standard input's identity, a folder for stdin copies — and the test hook, read only here:
 * FUNNEL_TEST_COMMIT_PAUSE=<file> makes a commit stop after its first rename, write <file> and wait until the
 * file is removed (10 s at most), so that a test can signal or kill a run in the middle of a commit.
 */
import { existsSync, fstatSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { abortAllSync } from '../output/interrupt.js';
import type { OutputEnv } from '../output/run-env.js';
import { configureScratch, removeAllScratchSync } from '../util/scratch.js';
import type { FileId } from '../output/guard.js';
import type { Terminal } from './io.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it lives, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Device + inode of fd 0 or 1 of this process when the terminal uses it and it is a regular file. */
function fdFile(fd: 0 | 1, used: boolean): FileId | undefined {
  if (!used) return undefined;
  try {
    const st = fstatSync(fd);
    return st.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
  } catch {
    return undefined;
  }
}

function pauseHook(file: string | undefined): OutputEnv['afterRename'] {
  if (!file) return undefined;
  let paused = false;
  return async (done, total) => {
    if (paused) return;
    paused = true;
    writeFileSync(file, `${process.pid} ${done}/${total}\n`);
    const until = Date.now() + 10_000;
    // Awaited: a signal's handler runs during the pause, as it would between renames were they slow.
    while (existsSync(file) && Date.now() < until) await sleep(10);
  };
}

/** Copies of standard input kept by readers go to $TMPDIR/funnel-<uid>/ (util/scratch.ts). */
function scratchFolder(): string {
  return join(tmpdir(), `funnel-${process.getuid?.() ?? 'user'}`);
}

export function configureProcessScratch(): void {
  configureScratch({ dir: scratchFolder(), pid: process.pid, isAlive });
}

/** For the handlers of signals and of a closed stdout: every temporary file of this process removed, now. */
export function removeTemporariesSync(): void {
  abortAllSync();
  removeAllScratchSync();
}

export function outputEnv(term: Terminal, waitMs = 0): OutputEnv {
  return {
    cwd: term.cwd,
    pid: process.pid,
    host: hostname(),
    isAlive,
    waitMs,
    scratchDir: scratchFolder(),
    stdout: term.stdout,
    stdinId: fdFile(0, term.stdin === process.stdin),
    stdoutId: fdFile(1, term.stdout === process.stdout),
    afterRename: pauseHook(term.env.FUNNEL_TEST_COMMIT_PAUSE),
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--wait`: 0, 30s, 5m, 1h, 500ms; a bare number is seconds. */
export function parseWait(text: string | undefined): number {
  if (text === undefined) return 0;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`--wait must be a duration such as 30s, 5m or 1h, not '${text}'`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
}
