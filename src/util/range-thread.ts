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
