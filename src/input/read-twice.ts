/**
 * Contacts are read twice (keys first, then the rows): standard input, which can be read once, is first copied
 * to a file, and both passes read the copy under the name `<stdin>`. `classify` keeps the copy among its run's
 * temporary files (output/stdin-copy.ts); `history` and `explain`, which write nothing, in a scratch file.
 */
import type { Readable } from 'node:stream';
import { copyToScratch, releaseScratch } from '../util/scratch.js';
import { inputRef, type InputRef } from './bytes.js';

/** The references of `paths` (read from `cwd`) for two passes; `copy` makes the file that stands for standard input. */
export async function readableTwice(paths: readonly string[], cwd: string, copy: () => Promise<string>): Promise<InputRef[]> {
  const refs: InputRef[] = [];
  for (const p of paths) refs.push(p === '-' ? { path: await copy(), name: '<stdin>' } : inputRef(p, cwd));
  return refs;
}

/** `use` given the references of `paths` for two passes, standard input copied to a scratch file removed after. */
export async function withReadableTwice<T>(paths: readonly string[], cwd: string, stdin: Readable | undefined, use: (refs: InputRef[]) => Promise<T>): Promise<T> {
  const copies: string[] = [];
  try {
    const refs = await readableTwice(paths, cwd, async () => {
      const path = await copyToScratch(stdin, 'stdin');
      copies.push(path);
      return path;
    });
    return await use(refs);
  } finally {
    for (const p of copies) releaseScratch(p);
  }
}
