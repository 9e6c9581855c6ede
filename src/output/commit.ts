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
 * What is written where: target.ts (a regular file is replaced by a rename, a device or pipe written in place);
 * the names of locks, manifest and temporary files: names.ts; the lock: lock.ts; the manifest: manifest.ts.
 *
 * A rename that fails (rare: the folder's permissions changed during the run) undoes those before it: what
 * they replaced was kept under a second name (a hard link) until the last rename.
 *
 * Signals: from the first rename to the release of the locks the commit is synchronous, so a signal handler —
 * which runs between callbacks — finds either nothing renamed (and `abortAllSync()` removes the temporary
 * files: the old outputs stay whole) or the whole commit done. A test pauses between two renames through
 * `env.afterRename`; a handler running then defers the exit with `whenCommitted` until the commit is whole.
 */
import { closeSync, fchmodSync, fsyncSync, linkSync, lstatSync, openSync, realpathSync, renameSync, rmSync, statSync, write as fsWrite, fsync as fsFsync, open as fsOpen } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { OutputError, isFunnelError, type FunnelError } from '../errors.js';
import { InputGuard, type FileId } from './guard.js';
import { resolveTarget } from './target.js';
import { Lock, type ProcessInfo } from './lock.js';
import { FOLDER_LOCK, MANIFEST, fileLockName, tempName } from './names.js';
import { cleanLeftovers } from './leftovers.js';
import { entryOf, readManifest, unchanged, writeManifest, type ManifestEntry } from './manifest.js';
import { makeFolder, removeFolders } from './make-folder.js';
import { writeChunk } from './atomic.js';

const writeP = promisify(fsWrite);
const fsyncP = promisify(fsFsync);
const openP = promisify(fsOpen);

export interface OutputEnv extends ProcessInfo {
  /** Relative output paths are resolved here. */
  cwd: string;
  /** How long to wait for another run's lock (`--wait`), in ms. */
  waitMs: number;
  /** Where temporary files go that have no output folder to live in (stdin copies when rows go to stdout). */
  scratchDir?: string;
  /** Where `-` writes. */
  stdout?: Writable;
  /** Device + inode of standard input when it is a regular file (`< contacts.csv`). */
  stdinId?: FileId;
  /** Device + inode of standard output when it is a regular file (`>> contacts.csv`): `-` is checked as that file. */
  stdoutId?: FileId;
  warn?(message: string): void;
  /**
   * Test hook, called after each rename of a commit but the last; a promise it returns is awaited, so that a
   * signal handler runs in the middle of a commit (and must wait for it: `whenCommitted`).
   */
  afterRename?(done: number, total: number): void | Promise<void>;
}

/** For callers without a CLI (tests, the library): nothing is ever taken for a dead run's leftover. */
export function libraryEnv(cwd: string, stdout?: Writable): OutputEnv {
  return { cwd, pid: 0, host: '', isAlive: () => true, waitMs: 0, scratchDir: tmpdir(), stdout };
}

/** A write error as users read it: which file, what the system said, what to do. */
export function writeError(file: string, e: unknown): FunnelError {
  if (isFunnelError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const what = `${err.code ? `${err.code}: ` : ''}${String(err.message).replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')}`;
  const hint = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free some disk space, or write elsewhere' : err.code === 'EROFS' ? 'the file system is read-only: write elsewhere' : 'check that the folder exists and is writable';
  return new OutputError(`cannot write (${what})`, { file }, hint);
}

export interface Output {
  /** As given on the command line. */
  readonly path: string;
  write(chunk: Buffer | string): Promise<void>;
}

class StdoutOutput implements Output {
  readonly path = '-';
  constructor(private readonly stream: Writable) {}
  write(chunk: Buffer | string): Promise<void> {
    return writeChunk(this.stream, chunk);
  }
}

/** An output file: a temporary file renamed over `dir/name` at the commit, or a device written in place. */
class FileOutput implements Output {
  fd = -1;
  tmp: string | undefined;
  dir = '';
  name = '';

  constructor(
    readonly path: string,
    readonly abs: string,
    readonly role: string,
  ) {}

  async write(chunk: Buffer | string): Promise<void> {
    if (this.fd < 0) throw new Error(`${this.path}: written before OutputRun.open()`);
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      for (let off = 0; off < buf.length; ) off += (await writeP(this.fd, buf, off, buf.length - off)).bytesWritten;
    } catch (e) {
      throw writeError(this.path, e);
    }
  }

  async finish(): Promise<void> {
    try {
      await fsyncP(this.fd).catch((e: NodeJS.ErrnoException) => {
        // Terminals and pipes cannot be synced.
        if (this.tmp || (e.code !== 'EINVAL' && e.code !== 'ENOTSUP' && e.code !== 'EROFS')) throw e;
      });
      closeSync(this.fd);
      this.fd = -1;
    } catch (e) {
      throw writeError(this.path, e);
    }
  }
}

/** An `--out-dir` folder: its files, its lock, its manifest. */
export class OutputFolder {
  real = '';
  previous: ManifestEntry[] = [];
  readonly written = new Map<string, FileOutput>();

  constructor(
    readonly path: string,
    readonly abs: string,
    readonly role: string,
    readonly names: readonly string[],
    private readonly run: OutputRun,
  ) {}

  /** The output for `name` in the folder; its temporary file is created on first use. */
  file(name: string): Output {
    return this.run.inFolder(this, name);
  }
}

const live = new Set<OutputRun>();
let committing = 0;
let waiting: (() => void)[] = [];

/** For a signal handler: every open run's temporary files removed and its locks released, synchronously. */
export function abortAllSync(): void {
  for (const r of [...live]) r.abort();
}

/**
 * For a signal handler: `then` runs at once when no commit is renaming, else as soon as the renames are done —
 * a signal never leaves a folder with files of two runs.
 */
export function whenCommitted(then: () => void): void {
  if (committing === 0) then();
  else waiting.push(then);
}

function commitEnded(): void {
  if (--committing > 0) return;
  const cbs = waiting;
  waiting = [];
  for (const cb of cbs) cb();
}

/** The mode of a file being replaced, given to its replacement: a private export stays private. */
function keepMode(fd: number, dest: string): void {
  try {
    fchmodSync(fd, statSync(dest).mode & 0o7777);
  } catch {
    /* a new file: the umask decides */
  }
}

function fsyncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not every file system syncs folders */
  }
}

function folderError(path: string, e: unknown, what: string): FunnelError {
  if (isFunnelError(e)) return e;
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  const hint = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some disk space, or write elsewhere' : code === 'EROFS' ? 'the file system is read-only: write elsewhere' : 'check the path and its permissions, or write elsewhere';
  return new OutputError(`${what} (${code})`, { file: path }, hint);
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
    const f = new OutputFolder(path, resolve(this.env.cwd, path), role, names, this);
    this.folders.push(f);
    return f;
  }

  async open(): Promise<void> {
    if (this.stdoutRole !== undefined) this.guard.claimId(this.env.stdoutId, '-', this.stdoutRole);
    for (const s of this.singles) this.guard.claim(s.path, s.role);
    for (const f of this.folders) for (const n of f.names) this.guard.claim(join(f.path, n), f.role);
    // From here on something may have to be undone.
    live.add(this);
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

  /** @internal OutputFolder.file */
  inFolder(f: OutputFolder, name: string): Output {
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
    try {
      for (const f of files) await f.finish();
    } catch (e) {
      this.abort();
      throw e;
    }
    let current: FileOutput | undefined;
    committing++;
    try {
      await this.renameAll(
        files.filter((f) => f.tmp),
        (f) => (current = f),
      );
    } catch (e) {
      this.abort();
      throw writeError(current?.path ?? this.folders[0]?.path ?? '', e);
    } finally {
      commitEnded();
    }
  }

  /** Synchronous, start to end — but for a test's pause between renames: see the header. */
  private async renameAll(files: FileOutput[], at: (f: FileOutput) => void): Promise<void> {
    const stale = new Map<OutputFolder, ManifestEntry[]>();
    const entries = new Map<OutputFolder, ManifestEntry[]>();
    // What the renames replace is kept — hard links, no copy — until all are done: a rename that fails puts
    // it back, and the folders are the previous run's again.
    const kept = files.map((f) => this.keep(f.dir, f.name));
    const keptManifests = this.folders.map((f) => this.keep(f.real, MANIFEST));
    for (const f of this.folders) {
      entries.set(f, [...f.written].map(([name, o]) => entryOf(o.tmp!, name)));
      stale.set(
        f,
        f.previous.filter((e) => !f.written.has(e.name)),
      );
      writeManifest(f.real, [...entries.get(f)!, ...stale.get(f)!], false, this.env.pid);
    }
    let done = 0;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        at(f);
        renameSync(f.tmp!, join(f.dir, f.name));
        this.temps.delete(f.tmp!);
        f.tmp = undefined;
        done = i + 1;
        if (i + 1 < files.length) {
          const paused = this.env.afterRename?.(i + 1, files.length);
          if (paused) await paused;
        }
      }
    } catch (e) {
      files.slice(0, done).forEach((f, i) => this.putBack(f.dir, f.name, kept[i]));
      this.folders.forEach((f, i) => this.putBack(f.real, MANIFEST, keptManifests[i]));
      throw e;
    }
    for (const k of [...kept, ...keptManifests]) if (k) rmSync(k, { force: true });
    for (const dir of new Set(files.map((f) => f.dir))) fsyncFolder(dir);
    for (const f of this.folders) {
      for (const e of stale.get(f)!) {
        if (unchanged(f.real, e)) rmSync(join(f.real, e.name), { force: true });
        else this.env.warn?.(`${join(f.path, e.name)}: left in place: changed since funnel wrote it`);
      }
      writeManifest(f.real, entries.get(f)!, true, this.env.pid);
    }
    this.end();
  }

  /** A second name for the regular file `dir/name`, a temporary file of the run; none for a new name. */
  private keep(dir: string, name: string): string | undefined {
    const dest = join(dir, name);
    try {
      if (!lstatSync(dest).isFile()) return undefined;
    } catch {
      return undefined;
    }
    const aside = join(dir, tempName(name, this.env.pid));
    this.temps.add(aside);
    try {
      linkSync(dest, aside);
      return aside;
    } catch {
      // No hard links here (some network or FAT file systems): that file cannot be put back.
      this.temps.delete(aside);
      return undefined;
    }
  }

  /** Undoes one rename: the kept file back in place, or the new file removed when there was none. */
  private putBack(dir: string, name: string, kept: string | undefined): void {
    try {
      if (kept) renameSync(kept, join(dir, name));
      else rmSync(join(dir, name), { force: true });
    } catch {
      /* left as it is: the manifest still names every file either run wrote */
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
    live.delete(this);
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
