/**
 * The renames of a commit: every temporary file over its output, what they replace kept aside until all are done
 * (a rename that fails puts back those before it), then the stale files of the previous run removed and the
 * manifest completed. Synchronous from the first rename to the end (see the header of commit.ts).
 */
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST, tempName } from './names.js';
import { entryOf, unchanged, writeManifest, type ManifestEntry } from './manifest.js';
import type { FileOutput, OutputFolder } from './outputs.js';
import type { OutputEnv } from './run-env.js';

export interface Renaming {
  /** The files to rename, each with its temporary file. */
  files: FileOutput[];
  folders: readonly OutputFolder[];
  /** The run's temporary files: a rename takes its file out, a kept file is in until the end. */
  temps: Set<string>;
  env: Pick<OutputEnv, 'pid' | 'warn' | 'afterRename'>;
  /** Told the file being renamed (to name it in an error). */
  at(f: FileOutput): void;
  /** Ends the run (temporary files removed, locks released), right after the last step. */
  end(): void;
}

/** Synchronous, start to end — but for a test's pause between renames: see the header. */
export async function renameAll(r: Renaming): Promise<void> {
  const { files, folders, env } = r;
  const stale = new Map<OutputFolder, ManifestEntry[]>();
  const entries = new Map<OutputFolder, ManifestEntry[]>();
  // What the renames replace is kept — hard links, no copy — until all are done: a rename that fails puts
  // it back, and the folders are the previous run's again.
  const kept = files.map((f) => keep(r, f.dir, f.name));
  const keptManifests = folders.map((f) => keep(r, f.real, MANIFEST));
  for (const f of folders) {
    entries.set(f, [...f.written].map(([name, o]) => entryOf(o.tmp!, name)));
    stale.set(
      f,
      f.previous.filter((e) => !f.written.has(e.name)),
    );
    writeManifest(f.real, [...entries.get(f)!, ...stale.get(f)!], false, env.pid);
  }
  let done = 0;
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      r.at(f);
      renameSync(f.tmp!, join(f.dir, f.name));
      r.temps.delete(f.tmp!);
      f.tmp = undefined;
      done = i + 1;
      if (i + 1 < files.length) {
        const paused = env.afterRename?.(i + 1, files.length);
        if (paused) await paused;
      }
    }
  } catch (e) {
    files.slice(0, done).forEach((f, i) => putBack(f.dir, f.name, kept[i]));
    folders.forEach((f, i) => putBack(f.real, MANIFEST, keptManifests[i]));
    throw e;
  }
  for (const k of [...kept, ...keptManifests]) if (k) rmSync(k, { force: true });
  for (const dir of new Set(files.map((f) => f.dir))) fsyncFolder(dir);
  for (const f of folders) {
    for (const e of stale.get(f)!) {
      if (unchanged(f.real, e)) rmSync(join(f.real, e.name), { force: true });
      else env.warn?.(`${join(f.path, e.name)}: left in place: changed since funnel wrote it`);
    }
    writeManifest(f.real, entries.get(f)!, true, env.pid);
  }
  r.end();
}

/** A second name for the regular file `dir/name`, a temporary file of the run; none for a new name. */
function keep(r: Renaming, dir: string, name: string): string | undefined {
  const dest = join(dir, name);
  try {
    if (!lstatSync(dest).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const aside = join(dir, tempName(name, r.env.pid));
  r.temps.add(aside);
  try {
    linkSync(dest, aside);
    return aside;
  } catch {
    // No hard links here (some network or FAT file systems): that file cannot be put back.
    r.temps.delete(aside);
    return undefined;
  }
}

/** Undoes one rename: the kept file back in place, or the new file removed when there was none. */
function putBack(dir: string, name: string, kept: string | undefined): void {
  try {
    if (kept) renameSync(kept, join(dir, name));
    else rmSync(join(dir, name), { force: true });
  } catch {
    /* left as it is: the manifest still names every file either run wrote */
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
