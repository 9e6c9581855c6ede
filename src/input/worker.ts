/**
 * The reading thread of `--threads`: decodes and tokenizes an activities file and sends the main thread only
 * the three values the fold reads (key, type, time) with each row's line, in order, in batches. The main
 * thread folds them exactly as it folds rows it reads itself, so the results are the same bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isFunnelError } from '../errors.js';
import { inputRef } from './bytes.js';
import { openTable } from './table.js';

export interface WorkerInput {
  path: string;
  encoding?: string;
  delimiter?: string;
  noHeader?: boolean;
}

export type FromWorker =
  | { type: 'header'; headers: string[]; file: string; format: string; delimiter: string; encoding: string }
  | { type: 'rows'; values: string[]; lines: number[] }
  | { type: 'warn'; message: string }
  | { type: 'end' }
  | { type: 'error'; kind: string; message: string; location: { file?: string; line?: number; col?: number }; hint?: string; exitCode: number };

export type ToWorker = { type: 'columns'; columns: number[] } | { type: 'more' } | { type: 'stop' };

const BATCH = 8192;
const IN_FLIGHT = 4;

async function main(): Promise<void> {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  const inbox: ToWorker[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    inbox.push(m);
    wake?.();
  });
  const next = async (): Promise<ToWorker> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    return inbox.shift()!;
  };
  const send = (m: FromWorker): void => port.postMessage(m);
  try {
    const table = await openTable(inputRef(input.path), { encoding: input.encoding, delimiter: input.delimiter, noHeader: input.noHeader, warn: (message) => send({ type: 'warn', message }) });
    send({ type: 'header', headers: table.headers, file: table.file, format: table.format, delimiter: table.delimiter, encoding: table.encoding });
    const first = await next();
    if (first.type !== 'columns') return;
    const [k, t, ti] = first.columns as [number, number, number];
    let values: string[] = [];
    let lines: number[] = [];
    let inFlight = 0;
    const flush = async (): Promise<boolean> => {
      send({ type: 'rows', values, lines });
      values = [];
      lines = [];
      inFlight++;
      // Never more than a few batches ahead of the fold: memory stays flat.
      while (inFlight >= IN_FLIGHT) {
        const m = await next();
        if (m.type === 'stop') return false;
        if (m.type === 'more') inFlight--;
      }
      return true;
    };
    for await (const row of table.rows) {
      values.push(row.values[k] ?? '', row.values[t] ?? '', row.values[ti] ?? '');
      lines.push(row.line);
      if (lines.length >= BATCH && !(await flush())) return;
    }
    if (lines.length && !(await flush())) return;
    send({ type: 'end' });
  } catch (e) {
    if (isFunnelError(e)) send({ type: 'error', kind: e.name, message: e.message, location: e.location, hint: e.hint, exitCode: e.exitCode });
    else send({ type: 'error', kind: 'Error', message: (e as Error).message, location: {}, exitCode: 1 });
  }
}

void main();
