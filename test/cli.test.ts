import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ROOT, tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';
import { Chalk } from 'chalk';
import { chalkFor } from '../src/cli/color.js';

/** The CLI in-process, in the project's folder unless told. */
const cli = (args: string[], opts: Parameters<typeof runMain>[1] = {}) => runMain(args, { cwd: ROOT, ...opts });

const GOLDEN = join(ROOT, 'fixtures', 'golden');
const HUB = join(ROOT, 'fixtures', 'hubspot');
const API = join(ROOT, 'fixtures', 'api');
const contacts = join(GOLDEN, 'contacts.csv');
const activities = join(GOLDEN, 'activities.csv');

describe('classify output files', () => {
  it('writes funnel-out/contacts.csv and one file per stage that has contacts', async () => {
    const dir = tempDir();
    const res = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15'], { cwd: dir });
    expect(res.code).toBe(0);
    const files = readdirSync(join(dir, 'funnel-out')).sort();
    // The hidden manifest lists what the run wrote; the lock is gone with the run.
    expect(files).toEqual(['.funnel-manifest.json', 'advocate.csv', 'contacts.csv', 'customer.csv', 'disqualified.csv', 'lead.csv', 'mql.csv', 'sql.csv', 'suspect.csv']);
    const all = parse(readFileSync(join(dir, 'funnel-out', 'contacts.csv')), { columns: true }) as Record<string, string>[];
    const sql = parse(readFileSync(join(dir, 'funnel-out', 'sql.csv')), { columns: true }) as Record<string, string>[];
    expect(all).toHaveLength(35);
    expect(sql.map((r) => r.Email)).toEqual(all.filter((r) => r.funnel_stage === 'sql').map((r) => r.Email));
    // The summary table goes to stdout; the note about the rules used goes to stderr.
    expect(res.stdout).toContain('conversion');
    expect(res.stdout).not.toMatch(/\x1b\[/);
    expect(res.stderr).toContain('rules: built-in');
    expect(readdirSync(join(dir, 'funnel-out')).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('removes a stage file left by an earlier run when the stage is now empty', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n' });
    await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '--out-dir', 'out'], { cwd: dir });
    expect(existsSync(join(dir, 'out', 'sql.csv'))).toBe(true);
    const res = await cli(['classify', join(dir, 'c.csv'), '--out-dir', 'out'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.funnel-manifest.json', 'contacts.csv', 'suspect.csv']);
  });

  it('writes one file with -o, JSON and NDJSON with --format', async () => {
    const dir = tempDir();
    const r1 = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '-o', 'all.json', '--format', 'json', '--summary', 'none'], { cwd: dir });
    expect(r1.code).toBe(0);
    expect(r1.stdout).toBe('');
    const json = JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')) as Record<string, unknown>[];
    expect(json).toHaveLength(35);
    expect(json[4]).toMatchObject({ Email: 'g05@acme.io', funnel_stage: 'mql', funnel_score: 24.4, funnel_fit: 0 });
    const r2 = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '-o', '-', '--format', 'ndjson', '--summary', 'none']);
    const lines = r2.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(35);
    expect(lines[9]!.funnel_stage).toBe('sql');
  });

  it('keeps the input delimiter in CSV output', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email;Name\na@x.com;"Dupont; Jean"\n' });
    const res = await cli(['classify', join(dir, 'c.csv'), '-o', '-', '--summary', 'none'], { cwd: dir });
    expect(res.stdout.split('\n')[0]).toBe('Email;Name;funnel_stage;funnel_score;funnel_fit;funnel_persona;funnel_contactable;funnel_content;funnel_action;funnel_reason;funnel_warnings;funnel_stage_since');
    expect(res.stdout.split('\n')[1]).toMatch(/^a@x\.com;"Dupont; Jean";suspect;/);
  });

  it('reads the JSON export and NDJSON activities (nested keys flattened) like the CSV', async () => {
    const res = await cli(['classify', join(API, 'contacts.json'), '-a', join(API, 'activities.ndjson'), '-r', join(API, 'rules.yaml'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(res.code).toBe(0);
    const rows = parse(res.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(60);
    expect(Object.keys(rows[0]!)).toContain('properties.Email');
    expect(new Set(rows.map((r) => r.funnel_stage)).size).toBeGreaterThan(2);
    expect(res.stderr).not.toContain('warning');
    // The same records written as CSV (nested keys as dotted column names): the same verdict for every contact.
    const dir = tempDir();
    const flat = (o: Record<string, unknown>, prefix = ''): Record<string, string> =>
      Object.assign({}, ...Object.entries(o).map(([k, v]) => (v !== null && typeof v === 'object' ? flat(v as Record<string, unknown>, `${prefix}${k}.`) : { [`${prefix}${k}`]: v === null ? '' : String(v) })));
    const json = JSON.parse(readFileSync(join(API, 'contacts.json'), 'utf8')) as { results: Record<string, unknown>[] };
    const events = readFileSync(join(API, 'activities.ndjson'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => flat(JSON.parse(l)));
    writeFiles(dir, { 'c.csv': stringify(json.results.map((r) => flat(r)), { header: true }), 'a.csv': stringify(events, { header: true }) });
    const csv = await cli(['classify', join(dir, 'c.csv'), '-a', join(dir, 'a.csv'), '-r', join(API, 'rules.yaml'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(csv.code, csv.stderr).toBe(0);
    const verdicts = (table: Record<string, string>[]) => table.map((r) => [r['properties.Email'], ...Object.entries(r).filter(([k]) => k.startsWith('funnel_')).map(([k, v]) => `${k}=${v}`)]);
    expect(verdicts(parse(csv.stdout, { columns: true }) as Record<string, string>[])).toEqual(verdicts(rows));
    // The built-in rules name `Activity Type`, which these activities do not have: exit 3, not a guess.
    const builtIn = await cli(['classify', join(API, 'contacts.json'), '-a', join(API, 'activities.ndjson'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(builtIn.code).toBe(3);
    expect(builtIn.stderr).toMatch(/activities\.ndjson:1: no activity type column 'Activity Type' — set activities\.type in the rules to one of: contact\.email, type, timestamp, campaign/);
    expect(builtIn.stdout).toBe('');
  });

  it('reads gzipped inputs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(readFileSync(contacts)));
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(readFileSync(activities)));
    const a = await cli(['classify', join(dir, 'c.csv.gz'), '-a', join(dir, 'a.csv.gz'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none'], { cwd: dir });
    const b = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('is deterministic with --as-of', async () => {
    const args = ['classify', join(HUB, 'contacts.csv'), '-a', join(HUB, 'activities.csv'), '--as-of', '2026-11-15', '-o', '-', '--summary', 'none'];
    const a = await cli(args);
    const b = await cli(args);
    expect(a.stdout).toBe(b.stdout);
    expect(parse(a.stdout, { columns: true })).toHaveLength(400);
  });
});

describe('pipelines and routing', () => {
  it('reads contacts from stdin with - and writes rows to stdout, summary to stderr', async () => {
    const res = await cli(['classify', '-', '-a', activities, '--as-of', '2026-11-15', '-o', '-'], { input: readFileSync(contacts) });
    expect(res.code).toBe(0);
    expect(parse(res.stdout, { columns: true })).toHaveLength(35);
    expect(res.stderr).toContain('conversion');
  });

  it('reads activities from stdin', async () => {
    const res = await cli(['classify', contacts, '-a', '-', '--as-of', '2026-11-15', '-o', '-', '--summary', 'none'], { input: readFileSync(activities) });
    const b = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '-o', '-', '--summary', 'none']);
    expect(res.stdout).toBe(b.stdout);
  });

  it('prints the summary as JSON, and writes --summary-file', async () => {
    const dir = tempDir();
    const res = await cli(['classify', contacts, '-a', activities, '--as-of', '2026-11-15', '--summary', 'json', '--summary-file', 's.json', '--out-dir', 'o'], { cwd: dir });
    const s = JSON.parse(res.stdout) as { total: number; as_of: string; rules: { sha256: string }; tool: { version: string } };
    expect(s.total).toBe(35);
    expect(s.as_of).toBe('2026-11-15T00:00:00Z');
    expect(s.rules.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))).toMatchObject({ total: 35 });
  });

  it('--quiet prints nothing but errors', async () => {
    const dir = tempDir();
    const res = await cli(['--quiet', 'classify', join(API, 'contacts.json'), '-a', join(API, 'activities.ndjson'), '-r', join(API, 'rules.yaml'), '--out-dir', 'o'], { cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('');
  });

  it('colours only when asked on a non-terminal, and NO_COLOR wins', async () => {
    const forced = await cli(['classify', contacts, '--out-dir', tempDir()], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[/);
    const off = await cli(['classify', contacts, '--out-dir', tempDir()], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\x1b\[/);
  });

  it('without colour, chalk is not needed: the plain style writes what chalk writes at level 0', () => {
    const plain = chalkFor({ isTTY: false, noColorFlag: false, env: {} });
    const chalk = new Chalk({ level: 0 });
    const styles = ['bold', 'dim', 'red', 'green', 'yellow', 'cyan', 'visible', 'underline'] as const;
    for (const args of [['x'], [''], [], ['a', 'b'], [42], [undefined], ['\x1b[1m']] as unknown[][]) {
      expect(plain(...args)).toBe(chalk(...args));
      for (const st of styles) {
        expect(plain[st](...args), `${st}(${String(args)})`).toBe(chalk[st](...args));
        expect(plain[st].bold(...args)).toBe(chalk[st].bold(...args));
      }
      expect(plain.hex('#f00')(...args)).toBe(chalk.hex('#f00')(...args));
    }
    expect(plain.level).toBe(0);
  });

  it('--no-color wins over FORCE_COLOR; --progress off a terminal writes plain lines, never a bar', async () => {
    const off = await cli(['--no-color', 'classify', contacts, '--out-dir', tempDir()], { env: { FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\x1b\[/);
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n', 'a.csv': 'Email,Activity Type,Activity Date\n' + 'a@x.com,Page View,2026-11-01\n'.repeat(70_000) });
    const shown = await cli(['--progress', 'classify', join(dir, 'c.csv'), '-a', join(dir, 'a.csv'), '--out-dir', 'o'], { cwd: dir });
    // A line every few seconds (test/progress.test.ts): this short run may print none, but never a bar.
    expect(shown.code).toBe(0);
    expect(shown.stderr).not.toMatch(/[\r\x1b█]/);
    const hidden = await cli(['classify', join(dir, 'c.csv'), '-a', join(dir, 'a.csv'), '--out-dir', 'o'], { cwd: dir });
    expect(hidden.stderr).not.toContain('activity rows');
  });

  it('classifies several contact files into one output with the union of their columns', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c1.csv': 'Email,Name\na@x.com,Ana\n', 'c2.json': '[{"Email":"b@x.com","Company":"Acme"}]' });
    const res = await cli(['classify', join(dir, 'c1.csv'), join(dir, 'c2.json'), '-o', '-', '--summary', 'none'], { cwd: dir });
    expect(res.code).toBe(0);
    const rows = parse(res.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.Email, r.Name, r.Company])).toEqual([
      ['a@x.com', 'Ana', ''],
      ['b@x.com', '', 'Acme'],
    ]);
  });

  it('ends quietly when downstream closes the pipe', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node bin/funnel classify ${join(HUB, 'contacts.csv')} -a ${join(HUB, 'activities.csv')} -o - --summary none | head -n 5`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    expect(r.stderr).not.toMatch(/error|EPIPE/i);
  });
});

describe('exit codes and one-line errors', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['missing contacts argument', ['classify'], 2, /missing required argument/],
    ['unknown option', ['classify', contacts, '--frobnicate'], 2, /unknown option/],
    ['bad --format', ['classify', contacts, '--format', 'xml'], 2, /format/],
    ['bad --as-of', ['classify', contacts, '--as-of', 'tomorrow'], 2, /^funnel: error: cannot read the date 'tomorrow' — /m],
    ['missing rules file', ['classify', contacts, '-r', 'nope.yaml'], 2, /nope\.yaml:1:1: rules file not found/],
    ['missing input file', ['classify', 'nope.csv'], 3, /^funnel: error: nope\.csv: no such file — check the path$/m],
    ['unknown command', ['frob'], 2, /unknown command/],
  ];
  it.each(cases)('%s', async (_n, args, code, message) => {
    const res = await cli(args);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 3 for a missing key column', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Name,Company\nAna,Acme\n', 'r.yaml': 'contacts: { key: Email }\nstages: [ { id: s } ]\n' });
    const res = await cli(['classify', 'c.csv', '-r', 'r.yaml'], { cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/^funnel: error: c\.csv:1: no key column 'Email' — set contacts\.key in the rules to one of: Name, Company$/m);
  });

  it('exit 2 for invalid rules, every problem on its own line', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'r.yaml': 'stages:\n  - { id: s, when: { activity: x } }\n  - { id: s, wen: 1 }\n' });
    const res = await cli(['classify', contacts, '-r', join(dir, 'r.yaml')], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("r.yaml:2:14: the first stage 's' has a 'when'");
    expect(res.stderr).toContain("r.yaml:3:14: unknown key 'wen' in a stage — did you mean 'when'?");
    expect(res.stderr).toContain("r.yaml:3:11: duplicate stage id 's'");
  });

  it('finds ./funnel.yaml before ./rules.yaml before the built-in rules', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n', 'rules.yaml': 'stages: [ { id: from_rules } ]\n' });
    const r1 = await cli(['classify', 'c.csv', '-o', '-', '--summary', 'none'], { cwd: dir });
    expect(r1.stderr).toContain('rules: ./rules.yaml');
    expect(r1.stdout).toContain('from_rules');
    writeFiles(dir, { 'funnel.yaml': 'stages: [ { id: from_funnel } ]\n' });
    const r2 = await cli(['classify', 'c.csv', '-o', '-', '--summary', 'none'], { cwd: dir });
    expect(r2.stderr).toContain('rules: ./funnel.yaml');
    expect(r2.stdout).toContain('from_funnel');
  });

  it('refuses to overwrite an input', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n' });
    const res = await cli(['classify', 'c.csv', '-o', 'c.csv'], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/the output c\.csv is the input c\.csv/);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe('Email\na@x.com\n');
  });

  it.skipIf(!existsSync('/dev/full'))('a full disk is one line naming the file, exit 1, not a crash report', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n' });
    const res = await cli(['classify', join(dir, 'c.csv'), '-o', '/dev/full', '--summary', 'none'], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^funnel: error: \/dev\/full: cannot write \(ENOSPC: no space left on device\) — free some disk space, or write elsewhere$/m);
    expect(res.stderr).not.toMatch(/unexpected|report it|at /);
  });

  it('-o naming a folder and --out-dir naming a file are outputs that cannot be written (exit 1), before anything is read', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'out'));
    writeFiles(dir, { 'c.csv': 'Email\na@x.com\n', 'out/keep.txt': 'x', 'taken.txt': 'y' });
    const r1 = await cli(['classify', join(dir, 'c.csv'), '-o', 'out'], { cwd: dir });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/funnel: error: out: cannot write: it is a folder — .*--out-dir/);
    expect(readdirSync(join(dir, 'out'))).toEqual(['keep.txt']);
    const r2 = await cli(['classify', join(dir, 'c.csv'), '--out-dir', 'taken.txt'], { cwd: dir });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/taken\.txt: cannot use it as the output folder: it is a file/);
    expect(readFileSync(join(dir, 'taken.txt'), 'utf8')).toBe('y');
  });

  it('--strict fails on the first row problem and writes nothing', async () => {
    const dir = tempDir();
    const res = await cli(['classify', contacts, '-a', activities, '--strict', '-o', 'out.csv'], { cwd: dir });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/contacts\.csv:24: duplicate key: 2 rows — fix the row, or run without --strict/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('prints --help and --version with exit 0', async () => {
    const h = await cli(['classify', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--activities');
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
