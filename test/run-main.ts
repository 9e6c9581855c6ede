/** The CLI in-process: `main(argv, term)` with captured streams, for fast tests of what users see. */
import { PassThrough, Readable } from 'node:stream';
import { main } from '../src/cli/cli.js';
import { tempDir, type RunResult } from './helpers.js';

export async function runMain(args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stdin = Readable.from(opts.input === undefined ? [] : [Buffer.from(opts.input)]);
  const code = await main(args, { stdin, stdout, stderr, env: {}, cwd: opts.cwd ?? tempDir() });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}
