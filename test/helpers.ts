import { ByteRecord } from '../src/input/record.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRulesText } from '../src/rules/load.js';
import type { Rules } from '../src/rules/model.js';
import type { Table, TableRow } from '../src/input/table.js';
import { rowSource } from '../src/input/records.js';
import { planActivities } from '../src/aggregate/plan.js';
import { Aggregates } from '../src/aggregate/store.js';
import { normalizeKey } from '../src/values/keys.js';
import { foldActivities } from '../src/aggregate/fold.js';
import { Classifier, type Verdict } from '../src/classify/classifier.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const BIN = join(ROOT, 'bin', 'funnel');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, in a subprocess. */
export function runCli(args: string[], opts: { cwd?: string; input?: string | Buffer; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      // HOME is the working folder: rules discovery stops there, whatever the machine holds above it.
      env: { PATH: process.env.PATH ?? '', HOME: opts.cwd ?? ROOT, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
    // A run that fails before reading all its input closes the pipe: that is its answer, not an error here.
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'funnel-test-'));
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

export function rulesFrom(yaml: string): Rules {
  const r = loadRulesText(yaml, 'test.yaml');
  if (!r.rules) throw new Error(r.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join('\n'));
  return r.rules;
}

function memTable(headers: string[], rows: string[][]): Table {
  async function* gen(): AsyncGenerator<TableRow> {
    let line = 2;
    for (const values of rows) yield { values: [...values], line: line++, width: values.length };
  }
  return { file: 'mem.csv', format: 'csv', delimiter: ',', encoding: 'utf-8', headers, records: rowSource(gen()) };
}

/**
 * Classifies in-memory contacts with in-memory events ([key, type, time]) through the real engine:
 * plan, fold, classify. Contacts are objects of column → value.
 */
export async function classifyMem(rulesYaml: string, contacts: Record<string, string>[], events: [string, string, string][], asOf = '2026-11-15T00:00:00Z'): Promise<Verdict[]> {
  const rules = rulesFrom(rulesYaml);
  const asOfMs = Date.parse(asOf);
  const plan = planActivities(rules, asOfMs);
  const aggs = new Aggregates(plan.counters.length);
  await foldActivities(memTable(['Email', 'Activity Type', 'Activity Date'], events), { rules, plan, aggs, warn: () => {} });
  const headers = [...new Set(contacts.flatMap((c) => Object.keys(c)))];
  if (!headers.includes('Email')) headers.unshift('Email');
  const classifier = new Classifier(rules, { headers, asOf: asOfMs, plan, aggs, warn: () => {} });
  return contacts.map((c) => {
    const values = headers.map((h) => c[h] ?? '');
    const key = normalizeKey(c.Email ?? '', rules.contacts.normalize);
    return classifier.classify(values, key ? aggs.find(key) : -1, []);
  });
}

/** A byte record `x,<key>,y` (the key its field 1), as the byte tokenizer gives one: for key lookups from bytes. */
export function keyRecord(key: string): ByteRecord {
  const r = new ByteRecord();
  r.buf = Buffer.from(`x,${key},y`);
  r.width = 3;
  r.starts[1] = 2;
  r.ends[1] = 2 + Buffer.byteLength(key);
  return r;
}
