/**
 * `funnel report`: one self-contained HTML page from summary and history JSON files (SPEC §10).
 * Also what `classify --report` and `history --report` call with the data they hold.
 */
import { promises as fsp } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { OutputRun, libraryEnv, type OutputEnv } from '../output/commit.js';
import { parseReportInput, type ReportInput } from '../output/report/inputs.js';
import { renderReport } from '../output/report/render.js';
import { VERSION } from '../util/version.js';

export interface ReportOptions {
  files: string[];
  output: string;
  title?: string;
  /** Relative paths are resolved here. */
  cwd: string;
}

async function readText(path: string, name: string, stdin: Readable | undefined): Promise<string> {
  if (path === '-') {
    if (!stdin) throw new InputError('standard input is not available', { file: '<stdin>' });
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot open (${code ?? 'unknown error'})`, { file: name }, 'check the path');
  }
}


export function reportHtml(inputs: readonly ReportInput[], title: string | undefined): string {
  return renderReport(inputs, { title, generator: `funnel ${VERSION}` });
}

export async function report(opts: ReportOptions, io: { stdin?: Readable; stdout: Writable; outputs?: OutputEnv }): Promise<{ inputs: ReportInput[] }> {
  if (opts.files.length === 0) throw new UsageError('no summary or history file given', {}, 'funnel report summary.json -o report.html');
  if (opts.files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  const at = (p: string): string => (p === '-' ? p : resolvePath(opts.cwd, p));
  // The page is checked (never an input, writable, not locked) before anything is read.
  const run = new OutputRun({ ...(io.outputs ?? libraryEnv(opts.cwd)), stdout: io.stdout });
  for (const f of opts.files) run.input(f);
  const page = run.file(opts.output, '-o');
  await run.open();
  try {
    const inputs: ReportInput[] = [];
    for (const f of opts.files) {
      const name = f === '-' ? '<stdin>' : f;
      inputs.push(parseReportInput(name, await readText(at(f), name, io.stdin)));
    }
    await page.write(reportHtml(inputs, opts.title));
    await run.commit();
    return { inputs };
  } finally {
    run.abort();
  }
}
