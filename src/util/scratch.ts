/**
 * Copies of standard input that a reader keeps for a second pass (JSON columns, then rows; history's two passes
 * over contacts) when no OutputRun holds them (src/output/commit.ts `scratch` does for classify and whatif).
 * They are personal data: created readable by the owner only, in one folder per user, registered here so that
 * the CLI's signal handler removes them (`removeAllScratchSync`), and named `.<name>.<pid>.<6 hex>.tmp` like
 * funnel's other temporary files, so that the first copy a later run makes removes those of dead processes
 * (SIGKILL). The CLI configures the folder, pid and liveness check; without it (the library) copies go to the
 * system's temporary folder and are only removed by their run.
 */
import { createWriteStream, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { InputError, OutputError } from '../errors.js';

export interface ScratchConfig {
  dir: string;
  pid: number;
  isAlive(pid: number): boolean;
}

let config: ScratchConfig | undefined;
let cleaned = false;
const live = new Set<string>();

export function configureScratch(c: ScratchConfig): void {
  config = c;
  cleaned = false;
}

function removeDead(dir: string, c: ScratchConfig): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^\..+\.(\d+)\.[0-9a-f]{6}\.tmp$/.exec(n);
    if (m && Number(m[1]) !== c.pid && !c.isAlive(Number(m[1]))) rmSync(join(dir, n), { force: true });
  }
}

/** A path for a new temporary file, registered for removal. */
export function scratchFile(name: string): string {
  const dir = config?.dir ?? tmpdir();
  if (config && !cleaned) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new OutputError(`cannot create the folder for temporary files (${code})`, { file: dir }, 'set TMPDIR to a writable folder');
    }
    removeDead(dir, config);
    cleaned = true;
  }
  const path = join(dir, `.${name}.${config?.pid ?? 0}.${randomBytes(3).toString('hex')}.tmp`);
  live.add(path);
  return path;
}

export function releaseScratch(path: string): void {
  rmSync(path, { force: true });
  live.delete(path);
}

/** For a signal handler: every copy still kept, removed. */
export function removeAllScratchSync(): void {
  for (const p of live) rmSync(p, { force: true });
  live.clear();
}

/**
 * A new scratch file, created now — before the next turn of the event loop, so that a signal's handler finds it
 * to remove — readable by the owner only.
 */
export function openScratch(name: string): { path: string; fd: number } {
  const path = scratchFile(name);
  try {
    return { path, fd: openSync(path, 'wx', 0o600) };
  } catch (e) {
    releaseScratch(path);
    throw copyError(path, e as NodeJS.ErrnoException);
  }
}

/** Copies `stdin` to a new scratch file; a full disk is exit 1 and leaves no copy. */
export async function copyToScratch(stdin: Readable | undefined, name: string): Promise<string> {
  if (!stdin) throw new InputError('standard input is not available', { file: '<stdin>' });
  const { path, fd } = openScratch(name);
  const copy = createWriteStream(path, { fd });
  let writeFailed: NodeJS.ErrnoException | undefined;
  copy.on('error', (e) => (writeFailed ??= e));
  try {
    await pipeline(stdin, copy);
  } catch (e) {
    releaseScratch(path);
    if (writeFailed) throw copyError(path, writeFailed);
    throw new InputError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: '<stdin>' });
  }
  return path;
}

/** A copy of standard input that could not be kept: exit 1, with what to do. */
export function copyError(path: string, e: NodeJS.ErrnoException): OutputError {
  return new OutputError(`cannot keep a copy of standard input (${e.code ?? e.message})`, { file: path }, e.code === 'ENOSPC' ? 'free some disk space, or set TMPDIR to a larger folder' : 'check that the folder is writable, or set TMPDIR');
}
