/**
 * `--threads` in the second pass: the contacts file cut into byte ranges, classified and written on several
 * threads, gives the bytes and summary of one thread — in every output shape — or says why it stayed on one.
 */
import { describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { rulesFrom, runCli, tempDir, writeFiles } from './helpers.js';
import { scanContactKeys } from '../src/aggregate/contact-keys.js';
import { Aggregates } from '../src/aggregate/store.js';
import { inputRef } from '../src/input/bytes.js';
import { runMain } from './terminal.js';
import { generate } from '../scripts/generate.mjs';

type Run = { code: number; stdout: string; stderr: string };

const AS_OF = ['--as-of', '2026-11-15T12:00:00Z'];

function summaryOf(path: string): unknown {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  delete s.duration_ms;
  delete s.phases;
  delete s.output;
  return s;
}

/** Every file of a folder, by name (the manifest aside). */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).filter((n) => !n.startsWith('.')).map((n) => [n, readFileSync(join(dir, n), 'latin1')]));
}

/** One thread in-process (no worker to start), three as a real process: worker threads run the built dist/. */
async function twice(dir: string, args: (tag: string) => string[]): Promise<{ one: Run; three: Run }> {
  const one = await runMain(['classify', 'c.csv', '-a', 'a.csv', ...AS_OF, '--threads', '1', ...args('one')], { cwd: dir });
  const three = await runCli(['classify', 'c.csv', '-a', 'a.csv', ...AS_OF, '--threads', '3', '--min-range-bytes', '15000', ...args('three')], { cwd: dir });
  expect(one.code).toBe(0);
  expect(three.code).toBe(0);
  return { one, three };
}

describe('contacts classified on several threads', () => {
  const dir = tempDir();
  const ready = (generate as (o: object) => Promise<unknown>)({ contacts: 1500, eventsPerContact: 2, out: dir, seed: 5 }).then(() => {
    renameSync(join(dir, 'contacts.csv'), join(dir, 'c.csv'));
    renameSync(join(dir, 'activities.csv'), join(dir, 'a.csv'));
  });

  it('--out-dir: every file the same bytes, the summary the same counts', async () => {
    await ready;
    const { three } = await twice(dir, (t) => ['--out-dir', t, '--summary-file', `${t}.json`]);
    expect(three.stderr).toContain('c.csv: classified in 3 ranges on as many threads');
    const one = filesOf(join(dir, 'one'));
    expect(Object.keys(one).length).toBeGreaterThan(4);
    expect(filesOf(join(dir, 'three'))).toEqual(one);
    expect(summaryOf(join(dir, 'three.json'))).toEqual(summaryOf(join(dir, 'one.json')));
  });

  it('history, --by too: the contacts replayed in 3 ranges give one thread’s history', async () => {
    await ready;
    const args = (t: string[]) => ['history', 'c.csv', '-a', 'a.csv', ...AS_OF, '--every', 'month', '--format', 'json', '--by', 'Country', ...t];
    const one = await runMain(args(['--threads', '1']), { cwd: dir });
    const three = await runCli(args(['--threads', '3', '--min-range-bytes', '15000']), { cwd: dir });
    expect(one.code, one.stderr).toBe(0);
    expect(three.code, three.stderr).toBe(0);
    expect(three.stderr).toContain('c.csv: replayed in 3 ranges on as many threads');
    expect(JSON.parse(one.stdout).segments.length).toBeGreaterThan(3);
    expect(three.stdout).toBe(one.stdout);
  });

  it('-o - (standard output), NDJSON, CRLF and a gzipped -o file: the same bytes', async () => {
    await ready;
    const out = await twice(dir, () => ['-o', '-', '--crlf']);
    expect(out.three.stdout.length).toBeGreaterThan(150_000);
    expect(out.three.stdout).toBe(out.one.stdout);
    const nd = await twice(dir, () => ['-o', '-', '--format', 'ndjson']);
    expect(nd.three.stderr).toContain('classified in 3 ranges');
    expect(nd.three.stdout).toBe(nd.one.stdout);
    await twice(dir, (t) => ['-o', `${t}.csv.gz`]);
    expect(gunzipSync(readFileSync(join(dir, 'three.csv.gz'))).equals(gunzipSync(readFileSync(join(dir, 'one.csv.gz'))))).toBe(true);
  });

  it('--stage-dates: the replay on every thread, from the events in shared memory — the same bytes and counts', async () => {
    await ready;
    const { three } = await twice(dir, (t) => ['--stage-dates', '--out-dir', `sd-${t}`, '--summary-file', `sd-${t}.json`]);
    expect(three.stderr).toContain('c.csv: classified in 3 ranges on as many threads');
    const one = filesOf(join(dir, 'sd-one'));
    expect(one['contacts.csv']).toContain('funnel_became_mql');
    expect(filesOf(join(dir, 'sd-three'))).toEqual(one);
    expect(summaryOf(join(dir, 'sd-three.json'))).toEqual(summaryOf(join(dir, 'sd-one.json')));
  });

  it('what needs the rows in order on one thread stays there: JSON arrays, --by, --strict, --previous', async () => {
    await ready;
    for (const extra of [['--format', 'json'], ['--by', 'Country'], ['--strict'], ['--previous', 'c.csv']]) {
      const r = await runCli(['classify', 'c.csv', '-a', 'a.csv', ...AS_OF, '--threads', '3', '--min-range-bytes', '15000', '-o', '-', ...extra], { cwd: dir });
      expect(r.stderr).toContain('funnel: rules:');
      expect(r.stderr).not.toContain('classified in');
    }
  });
});

describe('threads started ahead for the contacts', () => {
  it('a gzipped contacts file is not cut: classified on one thread, the threads started for it ended with the run', async () => {
    const dir = tempDir();
    await (generate as (o: object) => Promise<unknown>)({ contacts: 400, eventsPerContact: 2, out: dir, seed: 9 });
    writeFileSync(join(dir, 'c.csv.gz'), gzipSync(readFileSync(join(dir, 'contacts.csv'))));
    const args = ['classify', '-a', 'activities.csv', ...AS_OF, '-o', '-'];
    const one = await runMain([...args.slice(0, 1), 'contacts.csv', ...args.slice(1), '--threads', '1'], { cwd: dir });
    // A thread left running would keep the process alive past the test's time limit.
    const three = await runCli([...args.slice(0, 1), 'c.csv.gz', ...args.slice(1), '--threads', '3', '--min-range-bytes', '3000'], { cwd: dir });
    expect(three.code).toBe(0);
    expect(three.stderr).not.toContain('classified in');
    expect(three.stdout).toBe(one.stdout);
  });
});

describe('contacts a range cannot read on its own', () => {
  const rules = 'contacts: { key: Email }\nscoring: { points: { demo_request: 10 } }\nstages:\n  - { id: s }\n  - { id: l, when: { score: { gte: 10 } } }\n';
  const acts = 'Email,Activity Type,Activity Date\n' + Array.from({ length: 40 }, (_, i) => `u${i % 30}@x.com,Demo Request,2026-03-0${1 + (i % 9)}\n`).join('');
  const contactRows = (row: (i: number) => string): string => 'Email,Name,Notes\n' + Array.from({ length: 60 }, (_, i) => row(i) + '\n').join('');
  const cases = [
    { name: 'line breaks inside quoted notes (the cuts move to where records start)', contacts: contactRows((i) => `u${i}@x.com,User ${i},"one\ntwo, ${i}\n"`), note: /classified in 3 ranges/ },
    { name: 'one quoted field across every cut', contacts: 'Email,Name,Notes\nu0@x.com,A,"' + contactRows((i) => `u${i}@x.com,User ${i},n`) + '"\n', note: /classified on one thread: (a line break at a cut is inside a quoted field|a record that csv-parse reads, or a quoted field, runs across the first cut)/ },
    { name: 'text after a closing quote in a later range', contacts: contactRows((i) => (i === 50 ? `u${i}@x.com,"User" ${i},n` : `u${i}@x.com,User ${i},n`)), note: /classified on one thread: range \d cannot be read on its own/ },
    { name: 'keys that differ only in case, across ranges (said once, as on one thread)', contacts: contactRows((i) => `${i % 3 ? 'ID' : 'id'}${i % 20}x,User ${i},n`), note: /classified in 3 ranges/ },
  ];
  for (const c of cases) {
    it(`${c.name}: the same output on 3 threads as on 1`, async () => {
      const dir = tempDir();
      writeFiles(dir, { 'c.csv': c.contacts, 'a.csv': acts, 'funnel.yaml': rules });
      const args = ['classify', 'c.csv', '-a', 'a.csv', ...AS_OF, '-o', '-', '--summary', 'json'];
      const one = await runMain([...args, '--threads', '1'], { cwd: dir });
      const three = await runCli([...args, '--threads', '3', '--min-range-bytes', '300'], { cwd: dir });
      expect(one.code).toBe(0);
      expect(three.code).toBe(0);
      expect(three.stderr).toMatch(c.note);
      expect(three.stdout).toBe(one.stdout);
      const summary = (r: Run): unknown => {
        const s = JSON.parse(r.stderr.slice(r.stderr.indexOf('{'))) as Record<string, unknown>;
        delete s.duration_ms;
        delete s.phases;
        return s;
      };
      expect(summary(three)).toEqual(summary(one));
      if (c.name.startsWith('keys')) expect(three.stderr).toContain('differ only in case');
      // history's replay of the same contacts, cut the same way (the layouts that fall back to one thread).
      if (!/on one thread/.test(c.note.source)) return;
      const h = ['history', 'c.csv', '-a', 'a.csv', ...AS_OF, '--format', 'json'];
      const h1 = await runMain([...h, '--threads', '1'], { cwd: dir });
      const h3 = await runCli([...h, '--threads', '3', '--min-range-bytes', '300'], { cwd: dir });
      expect(h1.code, h1.stderr).toBe(0);
      expect(h3.stderr).toMatch(new RegExp(c.note.source.replaceAll('classified', 'replayed')));
      expect(h3.stdout).toBe(h1.stdout);
    });
  }
});

describe('the first pass finds the row at each cut, for the threads to take its slots again', () => {
  it('gives the index of the row starting at a cut, -1 for a cut inside a record, and every row’s slot', async () => {
    const dir = tempDir();
    const lines = ['Email,Notes', 'a@x.io,one', 'B@x.io,"two\nlines"', 'c@x.io,three', ' a@x.io ,again', ',no key'];
    writeFiles(dir, { 'c.csv': `${lines.join('\n')}\n` });
    const at = (row: number): number => Buffer.byteLength(lines.slice(0, row + 1).join('\n')) + 1;
    // Cuts inside row 0 (unquoted), just after the line break inside row 1's quoted field, at row 2 and at row 4.
    const cuts = [at(1) - 8, at(2) - 7, at(2), at(4)];
    const aggs = new Aggregates(1);
    const rules = rulesFrom('version: 1\ncontacts: { key: Email }\nstages: [ { id: s } ]\n');
    const keys = await scanContactKeys([inputRef('c.csv', dir)], { warn: () => {} }, rules, aggs, { cutsOf: () => cuts, slots: true });
    expect(keys.scan.files[0]!.cuts).toEqual({ starts: cuts, firstRows: [-1, -1, 2, 4] });
    expect([...keys.slots!]).toEqual([0, 1, 2, 0, -2]);
    expect(keys.scan.files[0]!.rows).toBe(5);
  });
});

describe('the second pass takes each row’s slot from the first', () => {
  it('is given, for every row of every file, the slot that row’s key took (keys written as normalised)', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'c1.csv': 'Email,Industry\na@x.io,SaaS\nb@x.io,Retail\n\nc@x.io,SaaS\na@x.io,dup\n',
      'c2.csv': 'Industry,Email\nRetail,d@x.io\nSaaS,b@x.io\n,\n',
      'a.csv': 'Email,Activity Type,Activity Date\nc@x.io,Page View,2026-11-01\nz@x.io,Page View,2026-11-01\n',
    });
    const seen: [number, number][] = [];
    const real = Aggregates.prototype.hintedSlot;
    const spy = vi.spyOn(Aggregates.prototype, 'hintedSlot').mockImplementation(function (this: Aggregates, rec, col, mode, hint) {
      const slot = real.call(this, rec, col, mode, hint);
      seen.push([hint, slot]);
      return slot;
    });
    try {
      const r = await runMain(['classify', 'c1.csv', 'c2.csv', '-a', 'a.csv', ...AS_OF, '-o', 'out.csv'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      spy.mockRestore();
    }
    // Seven rows; the blank key (-2) has no slot to take, every other row's hint is its slot.
    expect(seen).toHaveLength(7);
    expect(seen.filter(([h, s]) => s >= 0 && h !== s)).toEqual([]);
    expect(seen.at(-1)).toEqual([-2, -2]);
    // whatif's second pass, the same way.
    seen.length = 0;
    writeFiles(dir, { 'before.yaml': 'version: 1\nstages: [ { id: s }, { id: t, when: { field: Industry, equals: SaaS } } ]\n', 'after.yaml': 'version: 1\nstages: [ { id: s } ]\n' });
    const again = vi.spyOn(Aggregates.prototype, 'hintedSlot').mockImplementation(function (this: Aggregates, rec, col, mode, hint) {
      const slot = real.call(this, rec, col, mode, hint);
      seen.push([hint, slot]);
      return slot;
    });
    try {
      const r = await runMain(['whatif', 'before.yaml', 'after.yaml', 'c1.csv', 'c2.csv', '-a', 'a.csv', ...AS_OF], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      again.mockRestore();
    }
    expect(seen).toHaveLength(7);
    expect(seen.filter(([h, s]) => s >= 0 && h !== s)).toEqual([]);
  });
});
