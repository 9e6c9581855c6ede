/**
 * The command line: parses arguments with commander, calls the commands (plain async functions), prints
 * what they return, and turns every error into one line and an exit code — here and nowhere else. Each
 * command's options and printing live in its own file under cli/commands/; each loads its command when run.
 */
import { Command, CommanderError } from 'commander';
import { FunnelError, UsageError, isFunnelError, RulesError } from '../errors.js';
import { VERSION } from '../util/version.js';
import { whenCommitted } from '../output/interrupt.js';
import { configureProcessScratch, removeTemporariesSync } from './output-env.js';
import { decorateHelp, trackCommand } from './help.js';
import { loadColour } from './color.js';
import { printable } from '../util/text.js';
import { processTerminal, type Terminal } from './io.js';
import { Session, type CliContext, type GlobalOpts } from './session.js';
import { registerClassify } from './commands/classify.js';
import { registerValidate } from './commands/validate.js';
import { registerExplain } from './commands/explain.js';
import { registerHistory } from './commands/history.js';
import { registerSummary } from './commands/summary.js';
import { registerDiff } from './commands/diff.js';
import { registerSql } from './commands/sql.js';
import { registerReport } from './commands/report.js';
import { registerInit } from './commands/init.js';
import { registerTest } from './commands/test.js';
import { registerWhatif } from './commands/whatif.js';
import { registerSchema } from './commands/schema.js';
import { registerCompletion } from './commands/completion.js';

/** The commands in the order `funnel --help` lists them. */
const COMMANDS = [registerClassify, registerValidate, registerExplain, registerHistory, registerSummary, registerDiff, registerSql, registerReport, registerInit, registerTest, registerWhatif, registerSchema, registerCompletion];

/** `sessions`: those the actions created, so that an error clears their progress bar before it is printed. */
function buildProgram(term: Terminal, done: (code: number) => void, sessions: Session[] = []): Command {
  const program = new Command();
  program
    .name('funnel')
    .description('Put every contact of CRM exports in its funnel stage, with score, fit, consent, next content, action and the evidence why.')
    .version(VERSION, '-V, --version')
    .option('-q, --quiet', 'print nothing but errors (and data asked for)')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .option('--debug', 'print stack traces of unexpected errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => term.stdout.write(s),
      writeErr: (s) => term.stderr.write(s),
      outputError: (s, write) => write(`funnel: ${s.replace(/\n(?!$)/g, ' ')}`),
    });
  const ctx: CliContext = {
    term,
    session: () => {
      const s = new Session(term, program.opts<GlobalOpts>());
      sessions.push(s);
      return s;
    },
    done,
  };
  for (const register of COMMANDS) register(program, ctx);
  decorateHelp(program);
  return program;
}

/** Runs the CLI and resolves to the exit code; never throws, never calls process.exit. */
export async function main(argv: string[], term: Terminal = processTerminal()): Promise<number> {
  configureProcessScratch();
  await loadColour([term.stdout, term.stderr], term.env);
  let code = 0;
  const sessions: Session[] = [];
  const program = buildProgram(
    term,
    (c) => {
      code = c;
    },
    sessions,
  );
  const command = trackCommand(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    for (const s of sessions) s.endProgress();
    return reportError(e, term, program.opts<GlobalOpts>().debug === true, command());
  }
}

export function reportError(e: unknown, term: Terminal, debug: boolean, command?: string): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander prints its own message; the spec's code for bad usage is 2.
    return 2;
  }
  if (isFunnelError(e)) {
    const all: FunnelError[] = e instanceof RulesError && e.problems.length ? [...e.problems] : [e];
    // Bad usage points to the command's help; a rules or input error has its own hint.
    const see = e instanceof UsageError && command ? `${e.hint ? ';' : ' —'} see 'funnel ${command} --help'` : '';
    for (const p of all) term.stderr.write(`funnel: error: ${printable(`${p.format()}${see}`)}\n`);
    if (debug) term.stderr.write(`${(e as Error).stack}\n`);
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return 0;
  term.stderr.write(`funnel: error: unexpected failure: ${printable(err?.message ?? String(e))} — ${debug ? '' : 'run again with --debug for details, and '}please report it\n`);
  if (debug && err?.stack) term.stderr.write(`${err.stack}\n`);
  return 1;
}

/** The bin entry: sets process.exitCode so output is flushed; handles a closed pipe and interruption. */
export async function run(): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      removeTemporariesSync();
      // Downstream (`| head`) has all it wants: a normal, quiet end.
      process.exit(0);
    }
  });
  // A closed stderr (`--progress 2>&1 | head -2`) loses the messages, not the run: the files are still written.
  process.stderr.on('error', () => {});
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    // During a commit's renames, the exit waits until they are all done (commit.ts).
    process.on(sig, () =>
      whenCommitted(() => {
        removeTemporariesSync();
        process.exit(code);
      }),
    );
  }
  process.exitCode = await main(process.argv.slice(2));
}
