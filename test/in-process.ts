import { PassThrough, Readable } from 'node:stream';
import { main } from '../src/cli/cli.js';
import type { RunResult } from './helpers.js';

/** Runs the CLI in this process through main(argv, term), with captured streams (not a terminal). */
export async function runMain(args: string[], opts: { cwd: string; input?: string; env?: Record<string, string> }): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stdin = Readable.from(opts.input === undefined ? [] : [opts.input]);
  const code = await main(args, { stdin, stdout, stderr, env: opts.env ?? {}, cwd: opts.cwd });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}
