/**
 * The manifest of an `--out-dir` folder, `.funnel-manifest.json`: the files the last run wrote there, each with
 * its inode, size and modification time, so that the next run removes the files of earlier runs it does not
 * write (a stage renamed, `--format` changed) — and only while they are still what funnel wrote: a file a user
 * replaced or edited since, or never written by funnel, is never touched.
 *
 * A commit writes it twice: before its renames with `complete: false`, listing the files of both runs, so that
 * a run killed during the renames leaves a manifest naming every file it may have placed; after them with
 * `complete: true` and this run's files only.
 */
import { closeSync, fsyncSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../util/version.js';
import { MANIFEST, tempName } from './names.js';

export interface ManifestEntry {
  name: string;
  ino: number;
  size: number;
  mtime_ms: number;
}

/** A plain name inside the folder: a manifest edited by hand cannot point funnel outside it. */
function plainName(n: unknown): n is string {
  return typeof n === 'string' && n !== '' && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\\') && !n.includes('\0');
}

/** The entries of the folder's manifest; none when it is missing or unreadable. */
export function readManifest(dir: string): ManifestEntry[] {
  let j: { tool?: unknown; files?: unknown };
  try {
    j = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as typeof j;
  } catch {
    return [];
  }
  if (j.tool !== 'funnel' || !Array.isArray(j.files)) return [];
  return (j.files as Record<string, unknown>[]).filter((f) => f && plainName(f.name) && typeof f.ino === 'number' && typeof f.size === 'number' && typeof f.mtime_ms === 'number') as unknown as ManifestEntry[];
}

/** What a manifest records of a file about to be renamed into `name` (a rename keeps inode, size and time). */
export function entryOf(path: string, name: string): ManifestEntry {
  const st = lstatSync(path);
  return { name, ino: st.ino, size: st.size, mtime_ms: st.mtimeMs };
}

/** True while `dir/e.name` is still the file funnel wrote. */
export function unchanged(dir: string, e: ManifestEntry): boolean {
  try {
    const st = lstatSync(join(dir, e.name));
    return st.isFile() && st.ino === e.ino && st.size === e.size && st.mtimeMs === e.mtime_ms;
  } catch {
    return false;
  }
}

/** Writes the manifest through a synced temporary file; synchronous, as the renames it brackets. */
export function writeManifest(dir: string, files: ManifestEntry[], complete: boolean, pid: number): void {
  const tmp = join(dir, tempName(MANIFEST, pid));
  const text = `${JSON.stringify({ tool: 'funnel', version: VERSION, complete, files }, null, 2)}\n`;
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, MANIFEST));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
