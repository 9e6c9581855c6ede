/**
 * What a signal handler may do with the runs of this process: remove every open run's temporary files, and wait
 * for a commit that is renaming (see the header of commit.ts).
 */

/** A run that may have something to undo: temporary files, locks, folders it made. */
interface Abortable {
  abort(): void;
}

const live = new Set<Abortable>();
let committing = 0;
let waiting: (() => void)[] = [];

/** From the run's open: from here on something may have to be undone. */
export function opened(run: Abortable): void {
  live.add(run);
}

/** The run has ended: nothing left to undo. */
export function ended(run: Abortable): void {
  live.delete(run);
}

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

export function commitStarted(): void {
  committing++;
}

export function commitEnded(): void {
  if (--committing > 0) return;
  const cbs = waiting;
  waiting = [];
  for (const cb of cbs) cb();
}
