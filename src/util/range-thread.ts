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
  const worker = new Worker(url, { workerData });
  const result = new Promise<R | ThreadFailed>((resolve) => {
    worker.on('message', (m: R | { type: 'progress'; rows: number }) => {
      if (m.type === 'progress') onProgress((m as { rows: number }).rows);
      else resolve(m as R);
    });
    worker.on('error', (e) => resolve({ type: 'failed', reason: e.message }));
    worker.on('exit', () => resolve({ type: 'failed', reason: 'the thread ended' }));
  });
  return { worker, result };
}
