import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { main } from '../src/cli/cli.js';
import { BIN, tempDir } from './helpers.js';
import { memTerminal } from './terminal.js';

/** Hostile inputs are contained: time linear in the bytes read, messages that print no raw input bytes. */

const RULES = 'contacts: { key: Email }\nstages:\n  - { id: s }\n  - { id: t, when: { field: Notes, contains: y } }\n';

async function classifyFile(dir: string, file: string): Promise<{ code: number; ms: number; out: string; err: string }> {
  writeFileSync(join(dir, 'r.yaml'), RULES);
  const term = memTerminal(dir);
  const started = Date.now();
  const code = await main(['classify', join(dir, file), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet'], term);
  return { code, ms: Date.now() - started, out: code === 0 ? readFileSync(join(dir, 'out.csv'), 'utf8') : '', err: term.stderrText() };
}

describe('long records are read in time linear in their size', () => {
  const big = 'x'.repeat(16 << 20);
  it('a 16 MB field in a gzipped CSV (gunzip gives 16 KB chunks)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(`Email,Notes\na@x.com,${big}\nb@x.com,y\n`));
    const r = await classifyFile(dir, 'c.csv.gz');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.out.length).toBeGreaterThan(16 << 20);
    expect(r.out).toContain('b@x.com,y,t,');
  }, 60_000);

  it('the same in windows-1252, re-encoded to UTF-8 for the byte tokenizer', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(Buffer.concat([Buffer.from('Email,Notes\na@x.com,caf\xe9 ', 'latin1'), Buffer.from(big), Buffer.from('\nb@x.com,y\n')])));
    const r = await classifyFile(dir, 'c.csv.gz');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.out).toContain('a@x.com,café x');
  }, 60_000);

  it('a record over the limit fails at its line, having read about that much', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(`Email,Notes\na@x.com,ok\nb@x.com,"${'x'.repeat(40 << 20)}\n`));
    const r = await classifyFile(dir, 'c.csv.gz');
    expect(r.code).toBe(3);
    expect(r.err).toContain('c.csv.gz:3: a record starting on this line is larger than 32 MB');
    expect(r.ms).toBeLessThan(20_000);
  }, 60_000);
});

describe('a header of 100k columns is read in linear time', () => {
  it('classify and validate, half of the names repeated', async () => {
    const dir = tempDir();
    const n = 100_000;
    const names = ['Email', ...Array.from({ length: n - 1 }, (_, i) => (i % 2 ? 'dup' : `c${i}`))];
    const rows = Array.from({ length: 20 }, (_, r) => [`u${r}@x.com`, ...Array.from({ length: n - 1 }, (_, i) => String(i % 7)), 'ragged'].join(','));
    writeFileSync(join(dir, 'wide.csv'), `${names.join(',')}\n${rows.join('\n')}\n`);
    writeFileSync(join(dir, 'r.yaml'), 'contacts: { key: Email }\nstages:\n  - { id: s }\n  - { id: t, when: { field: c4, equals: 5 } }\n');
    const started = Date.now();
    const term = memTerminal(dir);
    expect(await main(['classify', join(dir, 'wide.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet'], term)).toBe(0);
    const out = readFileSync(join(dir, 'out.csv'), 'utf8').split('\n');
    expect(out[0]).toContain(',dup_2,');
    expect(out[0]).toContain(',column_100001,');
    expect(out[0]).toContain(',dup_49999,');
    const v = memTerminal(dir);
    expect(await main(['validate', join(dir, 'r.yaml'), '--contacts', join(dir, 'wide.csv'), '--quiet'], v)).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});

describe('messages never print raw input bytes', () => {
  it('escape sequences and line breaks in header names are escaped, the error stays one line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), 'Email,"Na\x1b]0;owned\x07me","Li\nne\u202e"\na@x.com,x,y\n');
    writeFileSync(join(dir, 'r.yaml'), RULES);
    const term = memTerminal(dir);
    expect(await main(['classify', join(dir, 'c.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet'], term)).toBe(3);
    const err = term.stderrText();
    expect(err).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f\u202e]/);
    expect(err).toContain('Na\\e]0;owned\\u0007me');
    expect(err).toContain('Li\\nne\\u202e');
    expect(err.split('\n').filter((l) => l.startsWith('funnel: error:'))).toHaveLength(1);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('so are values in warnings', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), 'Email,Notes\n"a@x.com\x1b[2J",x\n"a@x.com\x1b[2J",y\n');
    writeFileSync(join(dir, 'r.yaml'), RULES);
    const term = memTerminal(dir);
    expect(await main(['classify', join(dir, 'c.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv')], term)).toBe(0);
    expect(term.stderrText()).not.toContain('\x1b');
  });
});

describe('UTF-16 without a byte order mark', () => {
  it.each([
    ['utf16le', 'utf-16le'],
    ['ucs2', 'utf-16le'],
  ] as const)('is told apart, with the --encoding hint (%s)', async (enc, label) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), Buffer.from('Email,Notes\na@x.com,héllo y\n', enc));
    writeFileSync(join(dir, 'r.yaml'), RULES);
    const term = memTerminal(dir);
    expect(await main(['classify', join(dir, 'c.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet'], term)).toBe(3);
    expect(term.stderrText()).toContain(`c.csv: looks like ${label.toUpperCase()} text without a byte order mark — pass --encoding ${label}`);
    const again = memTerminal(dir);
    expect(await main(['classify', join(dir, 'c.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet', '--encoding', label], again)).toBe(0);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toContain('a@x.com,héllo y,t,');
  });

  it('big-endian too', async () => {
    const dir = tempDir();
    const le = Buffer.from('Email,Notes\na@x.com,y\n', 'utf16le');
    writeFileSync(join(dir, 'c.csv'), Buffer.from(le).swap16());
    writeFileSync(join(dir, 'r.yaml'), RULES);
    const term = memTerminal(dir);
    expect(await main(['classify', join(dir, 'c.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'out.csv'), '--quiet'], term)).toBe(3);
    expect(term.stderrText()).toContain('pass --encoding utf-16be');
  });
});

/** Generous: the point is that the run stops instead of spinning, not the milliseconds (see the README). */
const STOP_BOUND_MS = 3000;

/**
 * Resolves once the run in `dir` has opened its outputs (a lock or temporary file beside `files`) — its signal
 * handlers are set by then, however loaded the machine — and has had a moment to be matching.
 */
async function underWay(dir: string, files: string[]): Promise<void> {
  const until = Date.now() + 15_000;
  while (readdirSync(dir).length <= files.length) {
    if (Date.now() > until) throw new Error('the run never opened its outputs');
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
}

describe('SIGTERM and SIGINT stop a run within a second', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s while hostile values stream in through a hostile pattern', async (signal, code) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), 'contacts: { key: Email }\nstages:\n  - { id: s }\n  - { id: t, when: { field: Notes, matches: "^(a+)+$" } }\n');
    const child = spawn(process.execPath, [BIN, 'classify', '-', '-r', 'r.yaml', '-o', 'out.csv', '--quiet'], { cwd: dir });
    child.stdout.resume();
    child.stderr.resume();
    const closed = new Promise<number | null>((res) => child.on('close', (c, s) => res(c ?? (s === signal ? code : -1))));
    child.stdin.on('error', () => {});
    child.stdin.write('Email,Notes\n');
    // Records of a 1 MB value each, which the pattern cannot decide quickly by backtracking; the input never ends.
    const value = `${'a'.repeat(1 << 20)}!`;
    let i = 0;
    const feed = setInterval(() => child.stdin.write(`u${i++}@x.com,${value}\n`), 20);
    await underWay(dir, ['r.yaml']);
    const sent = Date.now();
    child.kill(signal);
    const exit = await closed;
    clearInterval(feed);
    // One step of the run is bounded far below a second (a record ≤ 32 MB read, a value ≤ 100k characters
    // matched); the bound here leaves room for a loaded machine, where exiting alone can take a second.
    expect(Date.now() - sent).toBeLessThan(STOP_BOUND_MS);
    expect(exit).toBe(code);
    expect(readdirSync(dir).sort()).toEqual(['r.yaml']);
  }, 20_000);
});

describe('SIGTERM while matching', () => {
  it('stops a run whose every value makes the pattern fall back to the linear engine, within a second', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'r.yaml'), 'contacts: { key: Email }\nstages:\n  - { id: s }\n  - { id: t, when: { field: Notes, matches: "^(a+)+$" } }\n');
    const value = `${'a'.repeat(99_999)}!`;
    writeFileSync(join(dir, 'c.csv'), `Email,Notes\n${Array.from({ length: 80 }, (_, i) => `u${i}@x.com,${value}`).join('\n')}\n`);
    const child = spawn(process.execPath, [BIN, 'classify', 'c.csv', '-r', 'r.yaml', '-o', 'out.csv', '--quiet'], { cwd: dir });
    child.stdout.resume();
    child.stderr.resume();
    const closed = new Promise<string>((res) => child.on('close', (c, s) => res(s ?? String(c))));
    await underWay(dir, ['c.csv', 'r.yaml']);
    const sent = Date.now();
    child.kill('SIGTERM');
    expect(await closed).toBe('143');
    expect(Date.now() - sent).toBeLessThan(STOP_BOUND_MS);
    expect(readdirSync(dir).sort()).toEqual(['c.csv', 'r.yaml']);
  }, 30_000);
});

describe('funnel explain prints no raw input bytes either', () => {
  it('a value with an escape sequence is shown escaped', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), 'Email,Notes\na@x.com,"y\x1b]0;owned\x07\nz"\n');
    writeFileSync(join(dir, 'a.csv'), 'Email,Activity Type,Activity Date\na@x.com,Page View,2026-11-01\n');
    writeFileSync(join(dir, 'r.yaml'), RULES);
    const term = memTerminal(dir);
    expect(await main(['explain', join(dir, 'c.csv'), '-a', join(dir, 'a.csv'), '-r', join(dir, 'r.yaml'), '--contact', 'a@x.com', '--as-of', '2026-11-15'], term)).toBe(0);
    const out = term.stdoutText();
    expect(out).toContain('Notes=y\\e]0;owned\\u0007\\nz');
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
  });
});
