import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir } from './helpers.js';
// @ts-expect-error plain ES module scripts, no type declarations
import { generate } from '../scripts/generate.mjs';
// @ts-expect-error plain ES module scripts, no type declarations
import { runHand } from '../scripts/bench-duckdb-hand.mjs';
import { main } from '../src/cli/cli.js';
import { memTerminal } from './terminal.js';

const COLUMNS = ['funnel_stage', 'funnel_score', 'funnel_fit', 'funnel_persona', 'funnel_contactable', 'funnel_content', 'funnel_action'];
const AS_OF = '2026-11-15T12:00:00Z';

describe("the benchmark's hand-written DuckDB job", () => {
  it("gives every contact funnel's stage, score, fit, persona, consent, content and action", async () => {
    const dir = tempDir();
    await generate({ contacts: 2500, eventsPerContact: 8, out: dir, seed: 1234 });
    const contacts = join(dir, 'contacts.csv');
    const activities = join(dir, 'activities.csv');
    const term = memTerminal(dir);
    const code = await main(['--quiet', 'classify', contacts, '-a', activities, '--as-of', AS_OF, '-o', join(dir, 'funnel.csv'), '--summary', 'none'], term);
    expect(code, term.stderrText()).toBe(0);
    await runHand({ contacts, activities, out: join(dir, 'hand.csv'), asOf: AS_OF, threads: 2 });

    const read = (f: string): Record<string, string>[] => parse(readFileSync(join(dir, f)), { columns: true, bom: true });
    const ours = read('funnel.csv');
    const hand = new Map(read('hand.csv').map((r) => [`${r.Email}|${r['First Name']}`, r]));
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
