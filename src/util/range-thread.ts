/**
 * A worker thread of `--threads` that reads one byte range of a file (the activities' fold, the contacts'
 * classify pass): its result is the first message that is not progress, or `failed` however else it ends — an
 * error, an exit — and the main thread then reads the range itself and reports what is wrong.
 */
import { Worker } from 'node:worker_threads';

export type ThreadFailed = { type: 'failed'; reason: string };

export interface RangeThread<R> {
  worker: Worker;
  result: Promise<R | ThreadFailed>;
}

export function startRangeThread<R extends { type: string }>(url: URL, workerData: unknown, onProgress: (rows: number) => void): RangeThread<R> {
  return watch<R>(new Worker(url, { workerData }), () => onProgress);
}

/** A thread started before its range is known: `give` hands it the range (its worker takes it as its first message). */
export interface WarmThread<R> extends RangeThread<R> {
  give(job: unknown, onProgress: (rows: number) => void): void;
}

/**
 * A thread started ahead of its job, so that its start — Node's, and loading its modules, a tenth of a second or
 * more — overlaps the work before. Its failures before `give` are kept for `result`, as any thread's are.
 */
export function warmRangeThread<R extends { type: string }>(url: URL): WarmThread<R> {
  let progress: (rows: number) => void = () => {};
  const worker = new Worker(url, { workerData: null });
  const t = watch<R>(worker, () => progress);
  return {
    ...t,
    give(job, onProgress) {
      progress = onProgress;
      worker.postMessage({ job });
    },
  };
}

function watch<R extends { type: string }>(worker: Worker, progress: () => (rows: number) => void): RangeThread<R> {
  const result = new Promise<R | ThreadFailed>((resolve) => {
    worker.on('message', (m: R | { type: 'progress'; rows: number }) => {
      if (m.type === 'progress') progress()((m as { rows: number }).rows);
      else resolve(m as R);
    });
    worker.on('error', (e) => resolve({ type: 'failed', reason: e.message }));
    worker.on('exit', () => resolve({ type: 'failed', reason: 'the thread ended' }));
  });
  return { worker, result };
}

/**
 * Threads for the ranges of a file started before the file is read, so that their start overlaps the work before
 * (the fold); `take` hands one out for a range, `close` ends the ones not taken.
 */
export class WarmThreads<R extends { type: string }> {
  private readonly idle: WarmThread<R>[];

  constructor(url: URL, n: number) {
    this.idle = Array.from({ length: n }, () => warmRangeThread<R>(url));
  }

  take(): WarmThread<R> | undefined {
    return this.idle.shift();
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((t) => t.worker.terminate()));
  }
}

/** A range's thread: one of `warm` if there is one left, else started now. */
export function rangeThread<R extends { type: string }>(url: URL, job: unknown, onProgress: (rows: number) => void, warm?: WarmThreads<R>): RangeThread<R> {
  const ready = warm?.take();
  if (!ready) return startRangeThread<R>(url, job, onProgress);
  ready.give(job, onProgress);
  return ready;
}
