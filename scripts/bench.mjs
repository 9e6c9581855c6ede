#!/usr/bin/env node
/**
 * npm run bench [-- --contacts N --events-per-contact M]
 * Generates (seeded) or reuses an export, runs `funnel classify` with the example rules, then the same job in
 * DuckDB (with the query `funnel sql` compiles from the same rules) on 1 and on all threads, and writes the
 * figures to bench/results.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const contacts = arg('contacts', 1_000_000);
const perContact = arg('events-per-contact', 10);
const asOf = '2026-11-15T12:00:00Z';
const data = join(root, 'bench', 'data', `c${contacts}-e${perContact}`);
const cFile = join(data, 'contacts.csv');
const aFile = join(data, 'activities.csv');

if (!existsSync(aFile)) {
  console.log(`generating ${contacts} contacts × ${perContact} events into ${data} …`);
  const g = await generate({ contacts, eventsPerContact: perContact, out: data, seed: 42 });
  writeFileSync(join(data, 'counts.json'), JSON.stringify(g));
}
const counts = JSON.parse(readFileSync(join(data, 'counts.json'), 'utf8'));
const mb = (statSync(cFile).size + statSync(aFile).size) / 1e6;
const bin = join(root, 'bin', 'funnel');
const out = join(data, 'out');
rmSync(out, { recursive: true, force: true });

// funnel
const t0 = Date.now();
const run = spawnSync(process.execPath, [bin, '--quiet', 'classify', cFile, '-a', aFile, '--as-of', asOf, '--out-dir', out, '--summary', 'none', '--summary-file', join(data, 'summary.json')], { stdio: 'inherit' });
const funnelMs = Date.now() - t0;
if (run.status !== 0) throw new Error(`funnel exited ${run.status}`);
const summary = JSON.parse(readFileSync(join(data, 'summary.json'), 'utf8'));

// DuckDB, same job, same rules
const query = join(data, 'query.sql');
const q = spawnSync(process.execPath, [bin, '--quiet', 'sql', '-r', join(root, 'rules.example.yaml'), '--as-of', asOf, '-o', query]);
if (q.status !== 0) throw new Error(`funnel sql exited ${q.status}: ${q.stderr}`);
const duck = (threads) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-duckdb.mjs'), cFile, aFile, query, join(data, `duckdb-${threads}.csv`), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`duckdb: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
const cores = cpus().length;
const d1 = duck(1);
const dn = duck(cores);

const fmt = (n) => n.toLocaleString('en-US');
const s = (ms) => (ms / 1000).toFixed(2);
const phases = summary.phases.map((p) => `| ${p.phase} | ${s(p.ms)} s | ${p.peak_rss_mb} MB |`).join('\n');
const peak = Math.max(...summary.phases.map((p) => p.peak_rss_mb));
const rows = counts.contacts + counts.events;
const machine = `${cores} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
const title = `## ${fmt(contacts)} contacts × ${perContact} events`;
const section = `${title}

${new Date().toISOString().slice(0, 10)} — ${machine}

Input: ${fmt(counts.contacts)} contacts × ${perContact} events per contact (${fmt(counts.events)} activity rows), ${mb.toFixed(0)} MB of CSV, example rules, as of ${asOf}.

| job | wall | rows/s | MB/s | peak RSS |
|---|---|---|---|---|
| funnel classify (one thread) | ${s(funnelMs)} s | ${fmt(Math.round(rows / (funnelMs / 1000)))} | ${(mb / (funnelMs / 1000)).toFixed(1)} | ${peak} MB |
| DuckDB, 1 thread (load + query + write) | ${s(d1.wall_ms)} s | ${fmt(Math.round(rows / (d1.wall_ms / 1000)))} | ${(mb / (d1.wall_ms / 1000)).toFixed(1)} | ${d1.peak_rss_mb} MB |
| DuckDB, ${cores} threads | ${s(dn.wall_ms)} s | ${fmt(Math.round(rows / (dn.wall_ms / 1000)))} | ${(mb / (dn.wall_ms / 1000)).toFixed(1)} | ${dn.peak_rss_mb} MB |

funnel / DuckDB on all threads: **${(funnelMs / dn.wall_ms).toFixed(2)}×** the wall time, ${(peak / dn.peak_rss_mb).toFixed(2)}× the memory.

funnel phases (wall, and peak RSS so far at the end of the phase):

| phase | wall | peak RSS |
|---|---|---|
${phases}
`;
// One section per configuration: a new run replaces its own section and keeps the others.
mkdirSync(join(root, 'bench'), { recursive: true });
const file = join(root, 'bench', 'results.md');
const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
const sections = old.split(/^(?=## )/m).filter((x) => x.startsWith('## ') && !x.startsWith(`${title}\n`));
const report = ['# Benchmark results\n\nWritten by `npm run bench`; one section per configuration.\n\n', ...[...sections, section].sort()].join('');
writeFileSync(file, report.replace(/\n{3,}/g, '\n\n'));
console.log(section);
