import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { tempDir } from './helpers.js';
// @ts-expect-error plain ES module scripts, no type declarations
import { generate } from '../scripts/generate.mjs';
// @ts-expect-error plain ES module scripts, no type declarations
import { runHand } from '../scripts/bench-duckdb-hand.mjs';
import { main } from '../src/cli/cli.js';
import { FUNNEL_COLUMNS } from '../src/output/annotation.js';
import { memTerminal } from './terminal.js';

const COLUMNS = ['funnel_stage', 'funnel_score', 'funnel_fit', 'funnel_persona', 'funnel_contactable', 'funnel_content', 'funnel_action'];
const AS_OF = '2026-11-15T12:00:00Z';
const __dirname = dirname(fileURLToPath(import.meta.url));

/** One small export that reaches every stage, and funnel's annotated rows of it: what both jobs are held to. */
async function makeExport(): Promise<{ dir: string; contacts: string; activities: string; ours: Record<string, string>[] }> {
  const dir = tempDir();
  await generate({ contacts: 2500, eventsPerContact: 8, out: dir, seed: 1234 });
  const contacts = join(dir, 'contacts.csv');
  const activities = join(dir, 'activities.csv');
  const term = memTerminal(dir);
  const code = await main(['--quiet', 'classify', contacts, '-a', activities, '--as-of', AS_OF, '-o', join(dir, 'funnel.csv'), '--summary', 'none'], term);
  expect(code, term.stderrText()).toBe(0);
  const ours: Record<string, string>[] = parse(readFileSync(join(dir, 'funnel.csv')), { columns: true, bom: true });
  return { dir, contacts, activities, ours };
}
// Made once for both jobs' tests.
let made: ReturnType<typeof makeExport> | undefined;
const exportAndFunnel = (): ReturnType<typeof makeExport> => (made ??= makeExport());

describe("the benchmark's hand-written DuckDB job", () => {
  it("gives every contact funnel's stage, score, fit, persona, consent, content and action", async () => {
    const { dir, contacts, activities, ours } = await exportAndFunnel();
    await runHand({ contacts, activities, out: join(dir, 'hand.csv'), asOf: AS_OF, threads: 2 });

    const hand = new Map((parse(readFileSync(join(dir, 'hand.csv')), { columns: true, bom: true }) as Record<string, string>[]).map((r) => [`${r.Email}|${r['First Name']}`, r]));
    expect(hand.size).toBe(ours.length);
    const stages = new Set<string>();
    for (const r of ours) {
      const h = hand.get(`${r.Email}|${r['First Name']}`);
      expect(h, r.Email).toBeDefined();
      expect(COLUMNS.map((c) => h![c]), r.Email).toEqual(COLUMNS.map((c) => r[c]));
      stages.add(r.funnel_stage!);
    }
    // The export reaches every stage, so each branch of the CASE is compared.
    expect([...stages].sort()).toEqual(['advocate', 'customer', 'disqualified', 'lead', 'mql', 'sql', 'suspect']);
  });
});

describe("the benchmark's floor (bench/floor.mjs, plain Node written for these rules only)", () => {
  it("gives every contact funnel's stage, score, fit, persona, consent, content and action", async () => {
    const { dir, contacts, activities, ours } = await exportAndFunnel();
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'bench', 'floor.mjs'), contacts, activities, join(dir, 'floor')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).contact_rows).toBe(2500);

    const width = Object.keys(ours[0]!).length - FUNNEL_COLUMNS.length;
    // The floor writes no header: its rows are the contact's fields, then the funnel columns in funnel's order.
    const floor = ['a', 'b'].flatMap((t) => parse(readFileSync(join(dir, 'floor', `contacts.${t}.csv`)), { relax_column_count: true }) as string[][]);
    expect(floor.length).toBe(ours.length);
    ours.forEach((r, i) => {
      const f = floor[i]!;
      expect(f[0], `row ${i + 1}`).toBe(r.Email);
      expect(COLUMNS.map((_, k) => f[width + k]), r.Email).toEqual(COLUMNS.map((c) => r[c]));
    });
  });
});
