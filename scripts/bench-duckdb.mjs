#!/usr/bin/env node
/**
 * The same job as `funnel classify` in DuckDB, for the benchmark: load both CSV files, run the query that
 * `funnel sql` compiles from the same rules, write the annotated contacts to CSV. Prints JSON timings.
 *   node scripts/bench-duckdb.mjs <contacts.csv> <activities.csv> <query.sql> <out.csv> <threads>
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [contacts, activities, queryFile, out, threads] = process.argv.slice(2);
const t0 = Date.now();
const db = await DuckDBInstance.create(':memory:', { threads: String(threads ?? 1) });
const c = await db.connect();
const csv = (f) => `read_csv('${f}', all_varchar = true, header = true, delim = ',', quote = '"', escape = '"')`;
await c.run(`CREATE TABLE contacts AS SELECT * FROM ${csv(contacts)}`);
await c.run(`CREATE TABLE activities AS SELECT * FROM ${csv(activities)}`);
const t1 = Date.now();
const query = readFileSync(queryFile, 'utf8').trim().replace(/;\s*$/, '');
await c.run(`COPY (${query}) TO '${out}' (HEADER, DELIMITER ',')`);
const t2 = Date.now();
console.log(JSON.stringify({ load_ms: t1 - t0, query_and_write_ms: t2 - t1, wall_ms: t2 - t0, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
