/**
 * `funnel report`: one self-contained HTML page from summary and history JSON files (SPEC §10).
 * Also what `classify --report` and `history --report` call with the data they hold.
 */
import { promises as fsp } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';
import { AtomicFile, writeChunk } from '../output/atomic.js';
import { parseReportInput, type ReportInput } from '../output/report/inputs.js';
import { renderReport } from '../output/report/render.js';
import { VERSION } from '../util/version.js';
import { sameFile } from '../util/same-file.js';

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

/** Writes the page to a file (atomically) or to `-`, standard output. */
export async function writeReport(html: string, output: string, stdout: Writable): Promise<void> {
  if (output === '-') {
    await writeChunk(stdout, html);
    return;
  }
  const f = new AtomicFile(output);
  try {
    await f.write(html);
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}

export function reportHtml(inputs: readonly ReportInput[], title: string | undefined): string {
  return renderReport(inputs, { title, generator: `funnel ${VERSION}` });
}

export async function report(opts: ReportOptions, io: { stdin?: Readable; stdout: Writable }): Promise<{ inputs: ReportInput[] }> {
  if (opts.files.length === 0) throw new UsageError('no summary or history file given', {}, 'funnel report summary.json -o report.html');
  if (opts.files.filter((f) => f === '-').length > 1) throw new UsageError('standard input (-) can be read only once', {}, 'give the other inputs as files');
  const at = (p: string): string => (p === '-' ? p : resolvePath(opts.cwd, p));
  const clash = opts.files.find((f) => f !== '-' && opts.output !== '-' && sameFile(at(f), at(opts.output)));
  if (clash) throw new UsageError(`the output ${opts.output} is the input ${clash}`, {}, 'write the report elsewhere with -o; funnel never overwrites an input');
  const inputs: ReportInput[] = [];
  for (const f of opts.files) {
    const name = f === '-' ? '<stdin>' : f;
    inputs.push(parseReportInput(name, await readText(at(f), name, io.stdin)));
  }
  await writeReport(reportHtml(inputs, opts.title), at(opts.output), io.stdout);
  return { inputs };
}
