#!/usr/bin/env node
/**
 * npm run bench [-- --contacts N --events-per-contact M --runs R]
 * Generates (seeded) or reuses an export and runs the job of the example rules as:
 *  - funnel classify on its default threads and DuckDB hand-written (bench/hand.duckdb.sql, all threads) —
 *    the anchor: paired, alternating runs, R of each (default 3), medians compared — and in the same rounds the
 *    floor (bench/floor.mjs: the job in plain Node for these rules only);
 *  - funnel on one thread (its bytes must equal the default's) and DuckDB running the query `funnel sql`
 *    compiles over all-VARCHAR tables, once each, for context;
 *  - funnel whatif (the example rules against the same with the MQL threshold at 25), R runs paired with
 *    classify runs, alternating: its cost target is ≤ 1.3× one classify.
 *  - the replay (SPEC §7): classify, classify --stage-dates and history --every month (12 months), paired
 *    alternating runs, medians and their ratios to classify, peak RSS (`--replay-only` runs only these).
 * Writes the figures to bench/results.md, one section per configuration.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
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
// The anchor pair is run this many times, alternating, and medians compared: shared machines are noisy,
// and alternating spreads their noise over both jobs alike.
const runs = Math.max(1, arg('runs', 3));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
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
const cMb = statSync(cFile).size / 1e6;
const aMb = statSync(aFile).size / 1e6;
const mb = cMb + aMb;
const bin = join(root, 'bin', 'funnel');
const out = join(data, 'out');
rmSync(out, { recursive: true, force: true });

// funnel, on one thread and on all (its default)
const cores = cpus().length;
const fmt = (n) => n.toLocaleString('en-US');
const s = (ms) => (ms / 1000).toFixed(2);
const machine = `${cores} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;

/** Replaces (or adds) one section of bench/results.md. */
const writeSection = (title, section) => {
  mkdirSync(join(root, 'bench'), { recursive: true });
  const file = join(root, 'bench', 'results.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sections = old.split(/^(?=## )/m).filter((x) => x.startsWith('## ') && !x.startsWith(`${title}\n`));
  const report = ['# Benchmark results\n\nWritten by `npm run bench`; one section per configuration.\n\n', ...[...sections, section].sort()].join('');
  writeFileSync(file, report.replace(/\n{3,}/g, '\n\n'));
  console.log(section);
};

// The replay: classify with and without --stage-dates, and history, on the default threads. Peak RSS from
// GNU time when the machine has it (history writes no summary with phases).
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const timed = (args) => {
  rmSync(out, { recursive: true, force: true });
  const cmd = timeBin ? [timeBin, ['-f', '%M %U %S', process.execPath, bin, '--quiet', ...args]] : [process.execPath, [bin, '--quiet', ...args]];
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8' });
  const ms = Date.now() - t0;
  if (r.status !== 0) throw new Error(`funnel ${args[0]} exited ${r.status}: ${r.stderr}`);
  const [kb, user, sys] = timeBin ? r.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  return { ms, rss: Number.isNaN(kb) ? '?' : Math.round(kb / 1024), cpu: (user + sys) * 1000 };
};
const replayJobs = {
  classify: ['classify', cFile, '-a', aFile, '--as-of', asOf, '--out-dir', out, '--summary', 'none'],
  'classify --stage-dates': ['classify', cFile, '-a', aFile, '--as-of', asOf, '--out-dir', out, '--summary', 'none', '--stage-dates'],
  'history --every month': ['history', cFile, '-a', aFile, '--as-of', asOf, '--every', 'month', '--format', 'json', '-o', join(data, 'history.json')],
};
const replayBench = () => {
  const names = Object.keys(replayJobs);
  const got = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    // Rotate the order, so that no job always runs first on a cold page cache.
    for (let k = 0; k < names.length; k++) {
      const n = names[(i + k) % names.length];
      got[n].push(timed(replayJobs[n]));
    }
    console.log(`replay round ${i + 1}/${runs}: ${names.map((n) => `${n} ${s(got[n].at(-1).ms)} s`).join(', ')}`);
  }
  const base = median(got.classify.map((r) => r.ms));
  const baseCpu = median(got.classify.map((r) => r.cpu));
  const med = (n, k) => median(got[n].map((r) => r[k]));
  // CPU time (user + system, all threads) too: on a shared machine it moves less than the wall time.
  const rowsOf = (n) =>
    `| ${n} | ${s(med(n, 'ms'))} s | ${got[n].map((r) => s(r.ms)).join(' / ')} | **${(med(n, 'ms') / base).toFixed(2)}×** | ${Number.isNaN(baseCpu) ? '?' : `${s(med(n, 'cpu'))} s, ${(med(n, 'cpu') / baseCpu).toFixed(2)}×`} | ${Math.max(...got[n].map((r) => (typeof r.rss === 'number' ? r.rss : 0))) || '?'} MB |`;
  const title = `## ${fmt(contacts)} contacts × ${perContact} events: stage dates and history`;
  writeSection(
    title,
    `${title}

${new Date().toISOString().slice(0, 10)} — ${machine}

The replay of the activity log (SPEC §7) on the same export and rules, default threads, ${runs} rounds (the order rotated), medians; the ratio is to classify's median. Targets: classify --stage-dates ≤ 2×, history ≤ 2.5×, peak RSS ≤ 1 GB at 1M × 10.

| job | median wall | runs | / classify | CPU (user + sys), / classify | peak RSS |
|---|---|---|---|---|---|
${names.map(rowsOf).join('\n')}
`,
  );
};
if (process.argv.includes('--replay-only')) {
  replayBench();
  process.exit(0);
}
const funnel = (threads) => {
  rmSync(out, { recursive: true, force: true });
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [bin, '--quiet', 'classify', cFile, '-a', aFile, '--as-of', asOf, '--out-dir', out, '--summary', 'none', '--summary-file', join(data, 'summary.json'), '--threads', String(threads)], { stdio: 'inherit' });
  const ms = Date.now() - t0;
  if (run.status !== 0) throw new Error(`funnel exited ${run.status}`);
  const summary = JSON.parse(readFileSync(join(data, 'summary.json'), 'utf8'));
  // A digest of every output file, to hold the threads to one thread's bytes.
  const h = createHash('sha256');
  // The run's manifest (.funnel-manifest.json: inodes, mtimes) differs by nature; the outputs must not.
  for (const f of readdirSync(out).filter((n) => !n.startsWith('.')).sort()) h.update(f).update(readFileSync(join(out, f)));
  return { ms, summary, digest: h.digest('hex'), peak: Math.max(...summary.phases.map((p) => p.peak_rss_mb)) };
};
// funnel's default: the cores, up to 4.
const fThreads = Math.min(cores, 4);

// DuckDB hand-written: the anchor.
const hand = () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-duckdb-hand.mjs'), cFile, aFile, join(data, 'duckdb-hand.csv'), asOf, String(cores)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`duckdb hand-written: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...res, ms: res.wall_ms };
};
// The floor: the same job in plain Node written for these rules only (bench/floor.mjs) — how fast JavaScript
// can do it here at all, which bounds what funnel's rules engine can reach (README, Performance).
const floor = () => {
  const dir = join(data, 'floor');
  rmSync(dir, { recursive: true, force: true });
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bench', 'floor.mjs'), cFile, aFile, dir], { encoding: 'utf8' });
  const ms = Date.now() - t0;
  if (r.status !== 0) throw new Error(`floor: ${r.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  return { ms };
};
const pairs = [];
for (let i = 0; i < runs; i++) {
  // Rotate which job goes first, so none always runs on a warm page cache.
  let f, h, fl;
  const jobs = [() => (f = funnel(fThreads)), () => (h = hand()), () => (fl = floor())];
  for (let k = 0; k < jobs.length; k++) jobs[(i + k) % jobs.length]();
  pairs.push({ f, h, fl });
  console.log(`round ${i + 1}/${runs}: funnel ${(f.ms / 1000).toFixed(2)} s, DuckDB hand-written ${(h.ms / 1000).toFixed(2)} s, floor ${(fl.ms / 1000).toFixed(2)} s`);
}
const fn = pairs.map((p) => p.f).sort((a, b) => a.ms - b.ms)[Math.floor((runs - 1) / 2)];
const fnMs = median(pairs.map((p) => p.f.ms));
const handMs = median(pairs.map((p) => p.h.ms));
const ratios = pairs.map((p) => p.f.ms / p.h.ms);
const floorMs = median(pairs.map((p) => p.fl.ms));
const floorRatios = pairs.map((p) => p.fl.ms / p.h.ms);
const handRss = Math.max(...pairs.map((p) => p.h.peak_rss_mb));
const fnRss = Math.max(...pairs.map((p) => p.f.peak));
for (const p of pairs) if (p.f.digest !== pairs[0].f.digest) throw new Error('funnel wrote other bytes from one run to the next');

// funnel whatif: one pass over the activities for both rule sets, against classify in paired runs.
const after = join(data, 'whatif-after.yaml');
writeFileSync(after, readFileSync(join(root, 'rules.example.yaml'), 'utf8').replace('score: { gte: 20 }', 'score: { gte: 25 }'));
const whatif = () => {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [bin, '--quiet', 'whatif', join(root, 'rules.example.yaml'), after, cFile, '-a', aFile, '--as-of', asOf, '--format', 'json', '--threads', String(fThreads)], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error(`funnel whatif exited ${run.status}`);
  return Date.now() - t0;
};
const wPairs = [];
for (let i = 0; i < runs; i++) {
  // Alternate which job goes first, as for the anchor.
  let w, c;
  if (i % 2 === 0) {
    w = whatif();
    c = funnel(fThreads).ms;
  } else {
    c = funnel(fThreads).ms;
    w = whatif();
  }
  wPairs.push({ w, c });
  console.log(`whatif pair ${i + 1}/${runs}: whatif ${(w / 1000).toFixed(2)} s, classify ${(c / 1000).toFixed(2)} s`);
}
const wMs = median(wPairs.map((p) => p.w));
const wcMs = median(wPairs.map((p) => p.c));

const f1 = funnel(1);
if (fn.digest !== f1.digest) throw new Error(`funnel on ${fThreads} threads wrote other bytes than on one`);

// DuckDB, same job, same rules
const query = join(data, 'query.sql');
const q = spawnSync(process.execPath, [bin, '--quiet', 'sql', '-r', join(root, 'rules.example.yaml'), '--as-of', asOf, '-o', query]);
if (q.status !== 0) throw new Error(`funnel sql exited ${q.status}: ${q.stderr}`);
const duck = (threads) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'bench-duckdb.mjs'), cFile, aFile, query, join(data, `duckdb-${threads}.csv`), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`duckdb: ${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...res, ms: res.wall_ms };
};
// The compiled query over all-VARCHAR tables: once, on all threads, for context.
const dn = duck(cores);

// What each phase reads: the activities, then the contacts twice (the key scan, then classify and write).
const phaseInput = { 'read activities': [counts.events, aMb], 'scan contacts': [counts.contacts, cMb], 'classify and write': [counts.contacts, cMb] };
const phaseCells = (p) => {
  const [n, m] = phaseInput[p.phase] ?? [0, 0];
  return `${s(p.ms)} s | ${fmt(Math.round(n / (p.ms / 1000)))} | ${(m / (p.ms / 1000)).toFixed(1)} | ${p.peak_rss_mb} MB`;
};
const phases = f1.summary.phases.map((p, i) => `| ${p.phase} | ${phaseCells(p)} | ${phaseCells(fn.summary.phases[i])} |`).join('\n');
const line = (job, ms, rss) => `| ${job} | ${s(ms)} s | ${fmt(Math.round(rows / (ms / 1000)))} | ${(mb / (ms / 1000)).toFixed(1)} | ${rss} MB |`;
const rows = counts.contacts + counts.events;
const title = `## ${fmt(contacts)} contacts × ${perContact} events`;
const section = `${title}

${new Date().toISOString().slice(0, 10)} — ${machine}

Input: ${fmt(counts.contacts)} contacts × ${perContact} events per contact (${fmt(counts.events)} activity rows), ${mb.toFixed(0)} MB of CSV, example rules, as of ${asOf}.

**The anchor** — funnel on its default threads and DuckDB hand-written (\`bench/hand.duckdb.sql\`: typed \`read_csv\`, one \`GROUP BY\`, a \`CASE\`, \`COPY\`; all threads), ${runs} paired runs alternating which goes first, medians:

| job | median wall | runs | rows/s | peak RSS |
|---|---|---|---|---|
| funnel classify, ${fThreads} threads (default) | ${s(fnMs)} s | ${pairs.map((p) => s(p.f.ms)).join(' / ')} | ${fmt(Math.round(rows / (fnMs / 1000)))} | ${fnRss} MB |
| DuckDB hand-written, ${cores} threads | ${s(handMs)} s | ${pairs.map((p) => s(p.h.ms)).join(' / ')} | ${fmt(Math.round(rows / (handMs / 1000)))} | ${handRss} MB |

funnel / DuckDB hand-written: **${(fnMs / handMs).toFixed(2)}×** the median wall time (paired ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}), ${(fnRss / handRss).toFixed(2)}× the peak memory.

The floor — the same job in plain Node written for these rules only (\`bench/floor.mjs\`: no rules engine, no reasons beyond a line, each thread's own files), in the same rounds: ${s(floorMs)} s (${pairs.map((p) => s(p.fl.ms)).join(' / ')}), **${(floorMs / handMs).toFixed(2)}×** DuckDB hand-written (ratios in the round ${floorRatios.map((r) => r.toFixed(2)).join(', ')}); funnel is ${(fnMs / floorMs).toFixed(2)}× the floor.

For context, once each:

| job | wall | rows/s | MB/s | peak RSS |
|---|---|---|---|---|
${line('funnel classify, 1 thread', f1.ms, f1.peak)}
${line(`DuckDB running the query \`funnel sql\` compiles, over all-VARCHAR tables, ${cores} threads`, dn.wall_ms, dn.peak_rss_mb)}

funnel whatif (example rules → MQL at 25 points), ${fThreads} threads, ${runs} runs paired with classify, alternating: median
${s(wMs)} s (${wPairs.map((p) => s(p.w)).join(' / ')}) against classify's ${s(wcMs)} s (${wPairs.map((p) => s(p.c)).join(' / ')}):
**${(wMs / wcMs).toFixed(2)}×** one classify (target ≤ 1.3×).

Output files of 1 and ${fThreads} threads: the same bytes (sha256 ${f1.digest.slice(0, 16)}…).

funnel phases: wall, the rows and MB per second of the file the phase reads (classifying and writing are one
streaming pass), and the peak RSS so far at the end of the phase:

| phase | 1 thread | rows/s | MB/s | peak RSS | ${fThreads} threads | rows/s | MB/s | peak RSS |
|---|---|---|---|---|---|---|---|---|
${phases}
`;
// One section per configuration: a new run replaces its own section and keeps the others.
writeSection(title, section);
replayBench();
