/**
 * `--threads`: an activities file read on a worker thread (input/worker.ts) while the main thread folds.
 * The result is a Table of three columns — key, type, time — in the file's order, with the file's lines.
 */
import { Worker } from 'node:worker_threads';
import { InputError, UsageError, type FunnelError } from '../errors.js';
import type { Table, TableRow } from './table.js';
import type { FromWorker, ToWorker, WorkerInput } from './worker.js';

export interface Projected {
  /** The file's own header, for resolving the columns and for messages. */
  headers: string[];
  table: Table;
}

/**
 * Opens `path` on a worker; `pick` receives the file's header and names the key, type and time columns (it may
 * warn or throw, as the single-thread path does). Rows then carry just those three values.
 */
export async function openOnWorker(input: WorkerInput, warn: (m: string) => void, pick: (headers: string[], file: string) => [number, number, number]): Promise<Projected> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: input });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  worker.on('message', (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  const send = (m: ToWorker): void => worker.postMessage(m);
  const next = async (): Promise<FromWorker> => {
    for (;;) {
      while (inbox.length && inbox[0]!.type === 'warn') warn((inbox.shift() as { message: string }).message);
      if (inbox.length) return inbox.shift()!;
      if (failure) throw failure;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  };
  const rethrow = (m: Extract<FromWorker, { type: 'error' }>): never => {
    const err: FunnelError = m.exitCode === 2 ? new UsageError(m.message, m.location, m.hint) : m.exitCode === 3 ? new InputError(m.message, m.location, m.hint) : (new Error(m.message) as unknown as FunnelError);
    throw err;
  };
  const stop = (): void => {
    send({ type: 'stop' });
    void worker.terminate();
  };

  let head: FromWorker;
  try {
    head = await next();
  } catch (e) {
    stop();
    throw e;
  }
  if (head.type === 'error') {
    stop();
    rethrow(head);
  }
  if (head.type !== 'header') {
    stop();
    throw new Error('the reading thread sent no header');
  }
  let columns: [number, number, number];
  try {
    columns = pick(head.headers, head.file);
  } catch (e) {
    stop();
    throw e;
  }
  send({ type: 'columns', columns });

  async function* batches(): AsyncGenerator<TableRow[]> {
    try {
      for (;;) {
        const m = await next();
        if (m.type === 'end') return;
        if (m.type === 'error') rethrow(m);
        if (m.type !== 'rows') continue;
        send({ type: 'more' });
        const out: TableRow[] = new Array<TableRow>(m.lines.length);
        for (let i = 0; i < m.lines.length; i++) out[i] = { values: [m.values[3 * i]!, m.values[3 * i + 1]!, m.values[3 * i + 2]!], line: m.lines[i]!, width: 3 };
        yield out;
      }
    } finally {
      stop();
    }
  }
  const h = head;
  const all = batches();
  async function* rows(): AsyncGenerator<TableRow> {
    for await (const b of all) yield* b;
  }
  return {
    headers: h.headers,
    table: { file: h.file, format: h.format as Table['format'], delimiter: h.delimiter, encoding: h.encoding, headers: ['key', 'type', 'time'], rows: rows(), batches: all },
  };
}
