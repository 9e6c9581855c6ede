/** An in-memory Terminal for running the CLI in-process through `main(argv, term)`. */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { Terminal } from '../src/cli/io.js';
import { main } from '../src/cli/cli.js';
import { tempDir, type RunResult } from './helpers.js';

export interface MemTerminal extends Terminal {
  stdoutText(): string;
  stderrText(): string;
}

function sink(chunks: Buffer[], isTTY: boolean): Writable & { isTTY?: boolean } {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean };
  w.isTTY = isTTY;
  return w;
}

/** `cwd` is the working folder the CLI sees; `stdin` what it reads on `-`; env is empty unless given. */
export function memTerminal(cwd: string, opts: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): MemTerminal {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdin = opts.stdin === undefined ? new PassThrough().end() : Readable.from([Buffer.from(opts.stdin)]);
  return {
    stdin,
    stdout: sink(out, !!opts.tty),
    stderr: sink(err, !!opts.tty),
    env: { HOME: cwd, ...opts.env },
    cwd,
    stdoutText: () => Buffer.concat(out).toString('utf8'),
    stderrText: () => Buffer.concat(err).toString('utf8'),
  };
}

/** Runs the CLI in-process on a memTerminal (in a fresh temporary folder unless `cwd` is given). */
export async function runMain(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; tty?: boolean } = {}): Promise<RunResult> {
  const term = memTerminal(opts.cwd ?? tempDir(), { stdin: opts.input, env: opts.env, tty: opts.tty });
  const code = await main(argv, term);
  return { code, stdout: term.stdoutText(), stderr: term.stderrText() };
}
