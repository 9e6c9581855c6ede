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
