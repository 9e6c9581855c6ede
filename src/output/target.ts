/**
 * Where an output's bytes go, decided before anything is written:
 * - `replace`: a regular file, or a name not taken yet. A temporary file is written beside its real location and
 *   renamed over it; a symlink on the way is kept, the file it points to is replaced.
 * - `in-place`: a device, a FIFO, a socket, or anything reached through /proc — `/dev/stdout` is
 *   /proc/self/fd/1, whatever the shell opened there. Written where it is, never renamed over: `-o /dev/stdout >
 *   file` fills `file` through the shell's descriptor, and the system's `/dev/stdout` stays a symlink.
 * - `folder` and `no-folder`: cannot be written (a folder is in the way; the folder to write in is missing).
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type Target =
  | { kind: 'replace'; dir: string; name: string }
  | { kind: 'in-place'; path: string; append: boolean }
  | { kind: 'folder'; path: string }
  | { kind: 'no-folder'; dir: string };

const MAX_LINKS = 40;

function underProc(dir: string): boolean {
  return dir === '/proc' || dir.startsWith('/proc/');
}

/** Follows `abs` link by link (each folder by its real path) to what a write would reach. */
export function resolveTarget(abs: string): Target {
  let p = abs;
  for (let hop = 0; hop < MAX_LINKS; hop++) {
    let dir: string;
    try {
      dir = realpathSync(dirname(p));
    } catch {
      return { kind: 'no-folder', dir: dirname(p) };
    }
    const full = join(dir, basename(p));
    if (underProc(dir)) {
      // A descriptor of this process (/proc/self/fd/1) appends to what the shell opened, as `>>` would.
      let file = false;
      try {
        file = statSync(full).isFile();
      } catch {
        /* opening it names the problem */
      }
      return { kind: 'in-place', path: full, append: file };
    }
    let st;
    try {
      st = lstatSync(full);
    } catch {
      return { kind: 'replace', dir, name: basename(p) };
    }
    if (st.isSymbolicLink()) {
      p = resolve(dir, readlinkSync(full));
      continue;
    }
    if (st.isDirectory()) return { kind: 'folder', path: full };
    if (st.isFile()) return { kind: 'replace', dir, name: basename(p) };
    return { kind: 'in-place', path: full, append: false };
  }
  // A loop of symlinks: let opening it say so (ELOOP).
  return { kind: 'in-place', path: abs, append: false };
}
