/**
 * Inside a range's worker thread (classify's and whatif's contacts): the range comes with the thread, or — a
 * thread started ahead, its modules loaded while the main thread folds (range-thread.ts warmRangeThread) — as
 * its first message. The work's messages go to the main thread, and so does its failure, as `failed`. The thread
 * stays alive until the main thread ends it, so that the results always arrive before the exit.
 */
import { parentPort, workerData } from 'node:worker_threads';

export function runRangeJob<J, M>(work: (job: J, send: (m: M) => void) => Promise<void>): void {
  const port = parentPort!;
  let started = false;
  const begin = (job: J): void => {
    started = true;
    work(job, (m) => port.postMessage(m)).catch((e: unknown) => {
      port.postMessage({ type: 'failed', reason: e instanceof Error ? e.message : String(e) });
    });
  };
  port.on('message', (m: { job?: J }) => {
    if (!started && m.job) begin(m.job);
  });
  if (workerData) begin(workerData as J);
}
