import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { classify } from '../src/commands/classify.js';
import { ROOT, tempDir } from './helpers.js';
import { generate } from '../scripts/generate.mjs';

async function run(dir: string, parser: 'fast' | 'csv-parse', format: 'csv' | 'ndjson'): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await classify(
    { contacts: [join(dir, 'contacts.csv')], activities: [join(dir, 'activities.csv')], rules: join(ROOT, 'rules.example.yaml'), output: '-', format, strict: false, prefix: 'funnel_', cwd: dir, asOf: '2026-11-15T12:00:00Z', parser },
    { stdout: out, warn: () => {}, note: () => {} },
  );
  return text;
}

describe('the fast path gives the results of the straightforward pipeline', () => {
  it('same bytes out as csv-parse alone on a generated export', async () => {
    const dir = tempDir();
    await (generate as (o: object) => Promise<unknown>)({ contacts: 3000, eventsPerContact: 8, out: dir, seed: 7 });
    for (const format of ['csv', 'ndjson'] as const) {
      const fast = await run(dir, 'fast', format);
      const reference = await run(dir, 'csv-parse', format);
      expect(fast.length).toBeGreaterThan(100_000);
      expect(fast).toBe(reference);
    }
  });
});

describe('--threads', () => {
  it('reads activities on a worker thread with the same bytes out as one thread', async () => {
    const { runCli } = await import('./helpers.js');
    const dir = tempDir();
    await (generate as (o: object) => Promise<unknown>)({ contacts: 2000, eventsPerContact: 8, out: dir, seed: 11 });
    const args = (t: string) => ['classify', 'contacts.csv', '-a', 'activities.csv', '--as-of', '2026-11-15', '-o', '-', '--summary', 'json', '--threads', t];
    const one = await runCli(args('1'), { cwd: dir });
    const two = await runCli(args('2'), { cwd: dir });
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const s1 = JSON.parse(one.stderr.slice(one.stderr.indexOf('{')));
    const s2 = JSON.parse(two.stderr.slice(two.stderr.indexOf('{')));
    expect(s2.stages).toEqual(s1.stages);
    expect(s2.inputs.activities).toEqual(s1.inputs.activities);
  });

  it('reports a broken activities file from the worker as one line with its place, exit 3', async () => {
    const { runCli, writeFiles } = await import('./helpers.js');
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n', 'a.csv': 'Email,Activity Type,Activity Date\na@x.com,Call,2026-01-01\nb@x.com,"Call,2026-01-02\n' });
    for (const t of ['1', '2']) {
      const res = await runCli(['classify', 'c.csv', '-a', 'a.csv', '--threads', t, '-o', 'out.csv'], { cwd: dir });
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/^funnel: error: a\.csv:3: unclosed quote: the quoted field opened on this line runs to the end of the file — /m);
    }
  });
});
