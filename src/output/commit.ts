/**
 * A run's outputs, checked before anything is read and committed as one unit. Every writer of funnel uses it:
 *
 *   const run = new OutputRun(env);                        // env: from the CLI (pid, host, cwd, --wait, hooks)
 *   run.input('contacts.csv'); run.input(rulesPath, 'the rules file');   // what must never be replaced
 *   const rows = run.file(opts.output, '-o');              // `-` writes to env.stdout
 *   const dir = run.folder('funnel-out', '--out-dir', ['contacts.csv', 'lead.csv']);   // the names it may write
 *   await run.open();      // same-file checks (exit 2), then folders, locks, leftovers, temporary files (exit 1)
 *   try {
 *     await rows.write(chunk);
 *     await dir.file('lead.csv').write(chunk);             // created on first use
 *     const copy = run.scratch('stdin');                   // a temporary file removed at the end, whatever happens
 *     await run.commit();  // every temporary file synced, then all renamed; manifest; stale files; locks released
 *   } finally {
 *     run.abort();         // after a failure: temporary files removed, locks released; nothing after a commit
 *   }
 *   writeOutputFile(env, path, '-o', text, [{ path: rules, role: 'the rules file' }])   // the one-file case; text
 *                                                  // may be a function making it after the checks
 *
 * Here: the run — its checks at open, its temporary files, the commit and the abort. Beside it: the kinds of
 * output (outputs.ts), the renames of a commit and their undoing (renames.ts), what a signal handler may do
 * (interrupt.ts), what the run needs of the process (run-env.ts), write errors as users read them
 * (write-errors.ts). What is written where: target.ts (a regular file is replaced by a rename, a device or pipe
 * written in place); the names of locks, manifest and temporary files: names.ts; the lock: lock.ts; the
 * manifest: manifest.ts.
 *
 * A rename that fails (rare: the folder's permissions changed during the run) undoes those before it: what
 * they replaced was kept under a second name (a hard link) until the last rename.
 *
 * Signals: from the first rename to the release of the locks the commit is synchronous, so a signal handler —
 * which runs between callbacks — finds either nothing renamed (and `abortAllSync()` removes the temporary
 * files: the old outputs stay whole) or the whole commit done. A test pauses between two renames through
 * `env.afterRename`; a handler running then defers the exit with `whenCommitted` until the commit is whole.
 */
import { closeSync, fchmodSync, lstatSync, openSync, realpathSync, rmSync, statSync, open as fsOpen } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { OutputError, isFunnelError } from '../errors.js';
import { InputGuard, type FileId } from './guard.js';
import { resolveTarget } from './target.js';
import { Lock } from './lock.js';
import { FOLDER_LOCK, fileLockName, tempName } from './names.js';
import { cleanLeftovers } from './leftovers.js';
import { readManifest } from './manifest.js';
import { makeFolder, removeFolders } from './make-folder.js';
import { FileOutput, OutputFolder, StdoutOutput, type Output } from './outputs.js';
import { commitEnded, commitStarted, ended, opened } from './interrupt.js';
import { renameAll } from './renames.js';
import type { OutputEnv } from './run-env.js';
import { folderError, writeError } from './write-errors.js';

// The one write path's other parts, for its callers.
export { libraryEnv, type OutputEnv } from './run-env.js';
export { writeError } from './write-errors.js';
export { OutputFolder, type Output } from './outputs.js';
export { abortAllSync, whenCommitted } from './interrupt.js';

const openP = promisify(fsOpen);

/** The mode of a file being replaced, given to its replacement: a private export stays private. */
function keepMode(fd: number, dest: string): void {
  try {
    fchmodSync(fd, statSync(dest).mode & 0o7777);
  } catch {
    /* a new file: the umask decides */
  }
}

export class OutputRun {
  private readonly guard: InputGuard;
  private readonly singles: FileOutput[] = [];
  private stdoutRole: string | undefined;
  private readonly folders: OutputFolder[] = [];
  private readonly temps = new Set<string>();
  private readonly locks: Lock[] = [];
  private made: string[] = [];
  private state: 'plan' | 'open' | 'done' = 'plan';

  constructor(private readonly env: OutputEnv) {
    this.guard = new InputGuard(env.cwd);
  }

  /** An input this run reads: no output may be that file. `-` is standard input, compared when it is a file. */
  input(path: string, role?: string): void {
    if (path === '-') this.guard.inputId(this.env.stdinId, 'standard input');
    else this.guard.input(path, role);
  }

  /** Standard input's identity, when it is a file and is read. */
  inputId(id: FileId | undefined, role = 'standard input'): void {
    this.guard.inputId(id, role);
  }

  /** One output file; `-` is standard output. `role` names it in messages (`-o`, `--summary-file`). */
  file(path: string, role: string): Output {
    if (this.state !== 'plan') throw new Error('OutputRun.file() after open()');
    if (path === '-') {
      if (!this.env.stdout) throw new Error('no standard output to write to');
      this.stdoutRole ??= role;
      return new StdoutOutput(this.env.stdout);
    }
    const f = new FileOutput(path, resolve(this.env.cwd, path), role);
    this.singles.push(f);
    return f;
  }

  /** A folder of outputs with a lock and a manifest; `names` are the files it may hold (checked at open). */
  folder(path: string, role: string, names: readonly string[]): OutputFolder {
    if (this.state !== 'plan') throw new Error('OutputRun.folder() after open()');
    const f = new OutputFolder(path, resolve(this.env.cwd, path), role, names, (folder, name) => this.inFolder(folder, name));
    this.folders.push(f);
    return f;
  }

  async open(): Promise<void> {
    if (this.stdoutRole !== undefined) this.guard.claimId(this.env.stdoutId, '-', this.stdoutRole);
    for (const s of this.singles) this.guard.claim(s.path, s.role);
    for (const f of this.folders) for (const n of f.names) this.guard.claim(join(f.path, n), f.role);
    // From here on something may have to be undone.
    opened(this);
    try {
      for (const f of this.folders) this.checkFolder(f);
      for (const s of this.singles) await this.openFile(s);
      for (const f of this.folders) await this.openFolder(f);
    } catch (e) {
      this.abort();
      throw e;
    }
    this.state = 'open';
  }

  private checkFolder(f: OutputFolder): void {
    let st;
    try {
      st = statSync(f.abs);
    } catch {
      return;
    }
    if (!st.isDirectory()) throw new OutputError('cannot use it as the output folder: it is a file', { file: f.path }, 'choose another --out-dir, or -o to write one file');
    for (const n of f.names) {
      try {
        if (lstatSync(join(f.abs, n)).isDirectory()) throw new OutputError('cannot write: it is a folder', { file: join(f.path, n) }, 'move it away, or choose another --out-dir');
      } catch (e) {
        if (isFunnelError(e)) throw e;
      }
    }
  }

  private async openFolder(f: OutputFolder): Promise<void> {
    try {
      this.made.push(...makeFolder(f.abs));
    } catch (e) {
      throw folderError(f.path, e, 'cannot create the output folder');
    }
    f.real = realpathSync(f.abs);
    try {
      this.locks.push(await Lock.acquire(join(f.real, FOLDER_LOCK), f.path, this.env));
    } catch (e) {
      throw folderError(f.path, e, 'cannot write in the output folder');
    }
    cleanLeftovers(f.real, this.env);
    f.previous = readManifest(f.real);
  }

  private async openFile(s: FileOutput): Promise<void> {
    const t = resolveTarget(s.abs);
    if (t.kind === 'folder') throw new OutputError('cannot write: it is a folder', { file: s.path }, 'name a file, or use --out-dir for a folder of files');
    if (t.kind === 'no-folder') throw new OutputError(`cannot write: the folder ${t.dir} does not exist`, { file: s.path }, 'create it, or write elsewhere');
    if (t.kind === 'in-place') {
      try {
        s.fd = await openP(t.path, t.append ? 'a' : 'w');
      } catch (e) {
        throw writeError(s.path, e);
      }
      return;
    }
    try {
      this.locks.push(await Lock.acquire(join(t.dir, fileLockName(t.name)), s.path, this.env));
    } catch (e) {
      throw writeError(s.path, e);
    }
    cleanLeftovers(t.dir, this.env);
    s.dir = t.dir;
    s.name = t.name;
    this.createTemp(s);
  }

  /** Creates the temporary file of `s` synchronously, registered first, so a signal handler always finds it. */
  private createTemp(s: FileOutput): void {
    const tmp = join(s.dir, tempName(s.name, this.env.pid));
    this.temps.add(tmp);
    try {
      s.fd = openSync(tmp, 'wx');
    } catch (e) {
      this.temps.delete(tmp);
      throw writeError(s.path, e);
    }
    s.tmp = tmp;
    keepMode(s.fd, join(s.dir, s.name));
  }

  /** OutputFolder.file */
  private inFolder(f: OutputFolder, name: string): Output {
    if (this.state !== 'open') throw new Error('OutputFolder.file() before open() or after the commit');
    const had = f.written.get(name);
    if (had) return had;
    const path = join(f.path, name);
    if (!f.names.includes(name)) this.guard.claim(path, f.role);
    const out = new FileOutput(path, join(f.abs, name), f.role);
    out.dir = f.real;
    out.name = name;
    this.createTemp(out);
    f.written.set(name, out);
    return out;
  }

  /** A temporary file for the run's own use (a copy of standard input), removed when the run ends. */
  scratch(name: string): string {
    if (this.state !== 'open') throw new Error('OutputRun.scratch() before open()');
    let dir = this.folders[0]?.real ?? this.singles.find((s) => s.tmp)?.dir;
    if (dir === undefined) {
      dir = this.env.scratchDir ?? tmpdir();
      try {
        makeFolder(dir);
      } catch (e) {
        throw folderError(dir, e, 'cannot create the folder for temporary files');
      }
      cleanLeftovers(dir, this.env);
    }
    const p = join(dir, tempName(name, this.env.pid));
    this.temps.add(p);
    return p;
  }

  async commit(): Promise<void> {
    if (this.state !== 'open') throw new Error('OutputRun.commit() before open() or twice');
    const files = [...this.singles, ...this.folders.flatMap((f) => [...f.written.values()])];
    // Synced together, not one after another (the disk takes the flushes at once: 8 files ~2.5 ms, not ~7 ms);
    // all settled before an abort closes any, and the first failure in file order is the one reported.
    const failed = (await Promise.allSettled(files.map((f) => f.finish()))).find((r) => r.status === 'rejected');
    if (failed) {
      this.abort();
      throw failed.reason;
    }
    let current: FileOutput | undefined;
    commitStarted();
    try {
      await renameAll({ files: files.filter((f) => f.tmp), folders: this.folders, temps: this.temps, env: this.env, at: (f) => (current = f), end: () => this.end() });
    } catch (e) {
      this.abort();
      throw writeError(current?.path ?? this.folders[0]?.path ?? '', e);
    } finally {
      commitEnded();
    }
  }

  /** Removes what is left (temporary files, locks) and forgets the run; synchronous and idempotent. */
  abort(): void {
    if (this.state === 'done') return;
    for (const f of [...this.singles, ...this.folders.flatMap((d) => [...d.written.values()])]) {
      if (f.fd >= 0) {
        try {
          closeSync(f.fd);
        } catch {
          /* closed already */
        }
        f.fd = -1;
      }
    }
    this.end();
    removeFolders(this.made);
  }

  private end(): void {
    for (const t of this.temps) rmSync(t, { force: true });
    this.temps.clear();
    for (const l of this.locks) l.release();
    this.locks.length = 0;
    ended(this);
    this.state = 'done';
  }
}

/**
 * The one-file case (`sql -o`, `history -o`): `content` may be a function making it — it runs after the checks
 * and the lock, so a long run never ends on an output it cannot write.
 */
export async function writeOutputFile(env: OutputEnv, path: string, role: string, content: string | Buffer | (() => Promise<string | Buffer>), inputs: readonly { path: string; role?: string }[] = []): Promise<void> {
  const run = new OutputRun(env);
  for (const i of inputs) run.input(i.path, i.role);
  const out = run.file(path, role);
  await run.open();
  try {
    await out.write(typeof content === 'function' ? await content() : content);
    await run.commit();
  } finally {
    run.abort();
  }
}
