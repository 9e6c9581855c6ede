/** The CLI in-process: `main(argv, term)` on a memTerminal (terminal.ts), as a RunResult. */
import { main } from '../src/cli/cli.js';
import { tempDir, type RunResult } from './helpers.js';
import { memTerminal } from './terminal.js';

export async function runMain(args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): Promise<RunResult> {
  const term = memTerminal(opts.cwd ?? tempDir(), { stdin: opts.input });
  const code = await main(args, term);
  return { code, stdout: term.stdoutText(), stderr: term.stderrText() };
}
