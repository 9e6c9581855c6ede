/**
 * An output never replaces an input. Every input (exports, the rules, `--previous`, standard input when it is a
 * file) is recorded by its real path and by device + inode; every output is checked against them and against
 * the outputs claimed before it. A match is a UsageError (exit 2), thrown before anything is read or written.
 *
 *   const guard = new InputGuard(cwd);
 *   guard.input('contacts.csv', 'the input');      // a path that does not exist is skipped: reading it fails later
 *   guard.inputId(fstat(0), 'standard input');     // an identity without a path
 *   guard.claim('out/contacts.csv', '--out-dir');  // throws when it is an input or an output claimed already
 *
 * Real paths see through `./`, `..` and symlinks (also one in the path of a file not yet written); device +
 * inode see hard links and `/dev/stdout` redirected into a file. Only regular files are compared: writing to a
 * terminal or a pipe that is also read replaces nothing.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface FileId {
  dev: number;
  ino: number;
}

interface Known {
  output: boolean;
  /** As the user wrote it, for messages. */
  name: string;
  /** What it is: 'the input', 'the rules file', 'the --previous file', 'the --summary-file'… */
  role: string;
  real?: string;
  id?: FileId;
}

/** The real path of `abs`, also when it does not exist yet (its folder's real path + its name). */
export function realPathOf(abs: string): string | undefined {
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return undefined;
    }
  }
}

/** Device + inode of a regular file, following symlinks; undefined for anything else or nothing. */
export function regularFileId(abs: string): FileId | undefined {
  try {
    const st = statSync(abs);
    return st.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
  } catch {
    return undefined;
  }
}

function exists(abs: string): boolean {
  try {
    statSync(abs);
    return true;
  } catch {
    return false;
  }
}

export class InputGuard {
  private readonly known: Known[] = [];

  constructor(private readonly cwd: string) {}

  private describe(path: string, role: string): Known {
    const abs = resolve(this.cwd, path);
    const id = regularFileId(abs);
    return { output: false, name: path, role, id, real: id ? realPathOf(abs) : undefined };
  }

  /** Records an input; `-` (standard input) is given with `inputId`. */
  input(path: string, role = 'the input'): void {
    if (path === '-') return;
    const k = this.describe(path, role);
    if (k.id) this.known.push(k);
  }

  inputId(id: FileId | undefined, role: string): void {
    if (id) this.known.push({ output: false, name: '', role, id });
  }

  /** Throws when `path` is a file recorded before; records it as an output otherwise. */
  claim(path: string, role: string): void {
    const abs = resolve(this.cwd, path);
    const id = regularFileId(abs);
    // A device or a pipe is written in place: `-o /dev/null --summary-file /dev/null` replaces nothing.
    if (!id && exists(abs)) return;
    this.check(path, role, realPathOf(abs), id);
  }

  /** An output known by its identity only: standard output redirected into a file (`-o - >> contacts.csv`). */
  claimId(id: FileId | undefined, path: string, role: string): void {
    if (id) this.check(path, role, undefined, id);
  }

  private check(path: string, role: string, real: string | undefined, id: FileId | undefined): void {
    const clash = this.known.find((k) => (real !== undefined && k.real === real) || (id && k.id && k.id.dev === id.dev && k.id.ino === id.ino));
    if (clash?.output) throw new UsageError(`${role} ${path} and ${clash.role} ${clash.name} are the same file`, {}, 'give each output its own file');
    if (clash) {
      const same = clash.name === '' ? ' (redirected from it)' : real === undefined ? ' (standard output is redirected into it)' : clash.real === real ? '' : ' (the same file under another name)';
      const name = clash.name === '' ? '' : ` ${clash.name}`;
      throw new UsageError(`the output ${path} is ${clash.role}${name}${same}`, {}, 'write the output elsewhere; funnel never overwrites an input');
    }
    this.known.push({ output: true, name: path, role, real, id });
  }
}
