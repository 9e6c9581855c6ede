#!/usr/bin/env node
/**
 * The benchmark's job written by hand for DuckDB (bench/hand.duckdb.sql): typed reads straight from the
 * files, one GROUP BY, a join, a CASE, COPY to CSV — the anchor funnel is measured against. Prints JSON timings.
 *   node scripts/bench-duckdb-hand.mjs <contacts.csv> <activities.csv> <out.csv> <as-of> [threads]
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The query with its files and as-of filled in; paths are quoted as SQL literals. */
export function handQuery({ contacts, activities, out, asOf }) {
  const lit = (s) => s.replace(/'/g, "''");
  const ts = new Date(asOf).toISOString().replace('T', ' ').replace('Z', '');
  const vars = { contacts: lit(contacts), activities: lit(activities), out: lit(out), as_of: ts };
  return readFileSync(join(root, 'bench', 'hand.duckdb.sql'), 'utf8').replace(/\{(contacts|activities|out|as_of)\}/g, (_, k) => vars[k]);
}

export async function runHand({ contacts, activities, out, asOf, threads }) {
  const t0 = Date.now();
  const db = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
  const c = await db.connect();
  await c.run(handQuery({ contacts, activities, out, asOf }));
  c.closeSync?.();
  return { wall_ms: Date.now() - t0 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [contacts, activities, out, asOf, threads] = process.argv.slice(2);
  const r = await runHand({ contacts, activities, out, asOf, threads: threads ? Number(threads) : undefined });
  console.log(JSON.stringify({ ...r, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
}
