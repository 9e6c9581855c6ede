import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { renameSync } from 'node:fs';
import { classify } from '../src/commands/classify.js';
import { resolveRun } from '../src/commands/run-setup.js';
import { ROOT, runCli, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { generate } from '../scripts/generate.mjs';

async function run(dir: string, parser: 'fast' | 'csv-parse', format: 'csv' | 'ndjson'): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await classify(
    { ...resolveRun({ rules: join(ROOT, 'rules.example.yaml'), asOf: '2026-11-15T12:00:00Z' }, { cwd: dir, env: {} }), contacts: [join(dir, 'contacts.csv')], activities: [join(dir, 'activities.csv')], output: '-', format, strict: false, prefix: 'funnel_', cwd: dir, parser },
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

describe('--threads', () => {
  type Run = { code: number; stdout: string; stderr: string };
  // One thread in-process; more in a subprocess, as the worker threads run the built dist/.
  const runThreads = async (dir: string, threads: number, extra: string[] = []): Promise<Run> => {
    const args = ['classify', 'c.csv', '-a', 'a.csv', '--as-of', '2026-11-15T12:00:00Z', '-o', '-', '--summary', 'json', '--threads', String(threads), ...extra];
    return threads === 1 ? runMain(args, { cwd: dir }) : runCli(args, { cwd: dir });
  };
  // The summary without what differs from run to run (timings, memory).
  const summaryOf = (r: Run): unknown => {
    const s = JSON.parse(r.stderr.slice(r.stderr.indexOf('{'))) as Record<string, unknown>;
    delete s.duration_ms;
    delete s.phases;
    return s;
  };

  it('folds byte ranges of a generated export on several threads, merged into the same bytes out as one thread', async () => {
    const dir = tempDir();
    await (generate as (o: object) => Promise<unknown>)({ contacts: 2000, eventsPerContact: 8, out: dir, seed: 11 });
    renameSync(join(dir, 'contacts.csv'), join(dir, 'c.csv'));
    renameSync(join(dir, 'activities.csv'), join(dir, 'a.csv'));
    const one = await runThreads(dir, 1);
    expect(one.code).toBe(0);
    expect(one.stdout.length).toBeGreaterThan(100_000);
    for (const t of [2, 4]) {
      const many = await runThreads(dir, t, ['--min-range-bytes', '20000']);
      expect(many.code).toBe(0);
      expect(many.stderr).toContain(`a.csv: folded in ${t} ranges on as many threads`);
      expect(many.stdout).toBe(one.stdout);
      expect(summaryOf(many)).toEqual(summaryOf(one));
    }
    // Below the smallest range a file is not cut, and nothing is said about it.
    const small = await runThreads(dir, 4);
    expect(small.stderr).not.toContain('folded');
    expect(small.stdout).toBe(one.stdout);
  });

  // Activities with what a range cannot know about the rows before it, or that is no plain CSV. Each case runs on
  // 1 and 3 threads with tiny ranges: the same output and exit code, and the fold says how it went.
  const contacts = 'Email,Name\n' + Array.from({ length: 12 }, (_, i) => `u${i}@x.com,User ${i}\n`).join('') + 'Zoë@Straße.de,Zoë\n"odd""key@x.com",Odd\n';
  const rows = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i) + '\n').join('');
  const plain = (i: number): string => `U${i % 12}@X.com,${['Page View', 'Demo Request', 'Email Open', 'Purchase'][i % 4]},2026-${String(1 + (i % 11)).padStart(2, '0')}-1${i % 10}T10:00:00Z`;
  const cases: { name: string; activities: string | Buffer; rules?: string; contacts?: string | Buffer; args?: string[]; note: RegExp; code?: number }[] = [
    { name: 'plain rows', activities: 'Email,Activity Type,Activity Date\n' + rows(60, plain), note: /folded in 3 ranges/ },
    {
      name: 'a BOM, an Excel sep= line, ; and CRLF (the cuts are file offsets)',
      activities: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(('sep=;\nEmail;Activity Type;Activity Date\n' + rows(60, plain).replaceAll(',', ';')).replaceAll('\n', '\r\n'))]),
      note: /folded in 3 ranges/,
    },
    { name: 'blank lines everywhere', activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => (i % 3 === 0 ? '\n\n' : '') + plain(i)), note: /folded in 3 ranges/ },
    { name: 'keys beyond ASCII and with doubled quotes', activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => (i % 2 ? ' ZOË@straße.DE ,Demo Request,2026-03-0' + (1 + (i % 9)) : '"ODD""KEY@x.com",Purchase,2026-04-0' + (1 + (i % 9)))), note: /folded in 3 ranges/ },
    {
      // The cuts move past line breaks inside the notes, to where records start.
      name: 'quoted line breaks in every row',
      activities: 'Email,Activity Type,Activity Date,Notes\n' + rows(60, (i) => `${plain(i)},"first line\nsecond, line ${i}\n"`),
      note: /folded in 3 ranges/,
    },
    {
      // Every line break is inside one field: no cut is a record boundary.
      name: 'one quoted field across every cut',
      activities: 'Email,Activity Type,Activity Date,Notes\n' + plain(0) + ',"' + rows(60, plain) + '"\n' + rows(5, plain),
      note: /folded on one thread: (a line break at a cut is inside a quoted field|a record that csv-parse reads, or a quoted field, runs across the first cut)/,
    },
    {
      name: 'slash dates whose order only the last row decides',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => `u${i % 12}@x.com,Demo Request,0${1 + (i % 9)}/0${1 + ((i + 1) % 9)}/2026`) + 'u1@x.com,Call,25/10/2026\n',
      note: /folded on one thread: the order of its slash dates is not decided before the first cut/,
    },
    {
      name: 'slash dates decided on the first row, ambiguous in later ranges',
      activities: 'Email,Activity Type,Activity Date\nu1@x.com,Call,25/10/2026\n' + rows(60, (i) => `u${i % 12}@x.com,Demo Request,0${1 + (i % 9)}/0${1 + ((i + 1) % 9)}/2026`),
      note: /folded on one thread: range 2 cannot be read on its own \(a slash date whose order this range cannot tell\)/,
    },
    {
      name: 'ambiguous slash dates with date_order set',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => `u${i % 12}@x.com,Demo Request,0${1 + (i % 9)}/0${1 + ((i + 1) % 9)}/2026`),
      rules: 'contacts: { key: Email }\nactivities: { date_order: mdy }\nscoring: { points: { demo_request: 10 } }\nstages:\n  - { id: s }\n  - { id: l, when: { score: { gte: 30 } } }\n',
      note: /folded in 3 ranges/,
    },
    {
      name: 'text after a closing quote in a later range (csv-parse reads the file)',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => (i === 45 ? `u1@x.com,"Demo" Request,2026-01-01` : plain(i))),
      note: /folded on one thread: range \d cannot be read on its own/,
    },
    {
      name: 'no header row (the first record is data, folded once)',
      contacts: rows(12, (i) => `u${i}@x.com,User ${i}`),
      activities: rows(60, plain),
      rules: 'contacts: { key: "1" }\nactivities: { key: "1", type: "2", time: "3" }\nscoring: { points: { demo_request: 10, purchase: 1 } }\nstages:\n  - { id: s }\n  - { id: l, when: { score: { gte: 30 } } }\n',
      args: ['--no-header'],
      note: /folded in 3 ranges/,
    },
    {
      name: 'text after a closing quote in the first range (csv-parse reads on from there)',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => (i === 2 ? `u1@x.com,"Demo" Request,2026-01-01` : plain(i))),
      note: /folded on one thread: a record that csv-parse reads, or a quoted field, runs across the first cut/,
    },
    {
      name: 'windows-1252 (told from the head of the file)',
      activities: Buffer.concat([Buffer.from('Email,Activity Type,Activity Date\n' + rows(30, plain)), Buffer.from('u1@x.com,R\xe9union,2026-01-01\n', 'latin1'), Buffer.from(rows(30, plain))]),
      note: /folded on one thread: windows-1252 is read on one thread/,
    },
    {
      // Past the first megabyte, where the encoding was told: a hard error with its exact line.
      name: 'invalid UTF-8 in a later range',
      activities: Buffer.concat([Buffer.from('Email,Activity Type,Activity Date\n' + rows(30000, plain)), Buffer.from('u1@x.com,R\xe9union,2026-01-01\n', 'latin1'), Buffer.from(rows(10, plain))]),
      note: /^funnel: error: a\.csv:30002: invalid UTF-8 on line 30002 — /m,
      code: 3,
    },
    {
      name: 'an unclosed quote in the last range',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, plain) + 'u1@x.com,"Call,2026-01-02\n',
      note: /^funnel: error: a\.csv:62: unclosed quote: the quoted field opened on this line runs to the end of the file — /m,
      code: 3,
    },
    // The contacts' keys are scanned while the other threads fold: what the scan says comes where one thread says it.
    {
      name: 'contacts warned about (windows-1252, a column without a name) after the fold warned (undated rows)',
      contacts: Buffer.from('Email,,Name\n' + Array.from({ length: 12 }, (_, i) => `u${i}@x.com,,Us\xe9r ${i}\n`).join(''), 'latin1'),
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, (i) => (i % 7 ? plain(i) : `u${i % 12}@x.com,Call,someday`)),
      note: /folded in 3 ranges/,
    },
    {
      name: 'an unclosed quote in the contacts (the scan fails while the other threads fold)',
      contacts: contacts + 'u1@x.com,"User\n',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, plain),
      note: /^funnel: error: c\.csv:16: unclosed quote/m,
      code: 3,
    },
    {
      name: "unclosed quotes in both files: the activities' error, as on one thread",
      contacts: contacts + 'u1@x.com,"User\n',
      activities: 'Email,Activity Type,Activity Date\n' + rows(60, plain) + 'u1@x.com,"Call,2026-01-02\n',
      note: /^funnel: error: a\.csv:62: unclosed quote/m,
      code: 3,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the same results on 3 threads as on 1`, async () => {
      const { writeFiles } = await import('./helpers.js');
      const dir = tempDir();
      writeFiles(dir, { 'c.csv': c.contacts ?? contacts, 'a.csv': c.activities, ...(c.rules ? { 'funnel.yaml': c.rules } : {}) });
      const one = await runThreads(dir, 1, c.args);
      const three = await runThreads(dir, 3, ['--min-range-bytes', '100', ...(c.args ?? [])]);
      expect(one.code).toBe(c.code ?? 0);
      expect(three.code).toBe(one.code);
      expect(three.stderr).toMatch(c.note);
      expect(three.stdout).toBe(one.stdout);
      if (one.code === 0) {
        expect(one.stdout.split('\n').length).toBeGreaterThan(12);
        expect(summaryOf(three)).toEqual(summaryOf(one));
      } else expect(three.stderr.replace(/^funnel: a\.csv: folded in 3 ranges on as many threads\n/m, '')).toBe(one.stderr);
      // history scans the contacts alongside the fold too: what it says, in the same order, and the same history.
      if (!c.name.startsWith('contacts warned') && !c.name.includes('both files')) return;
      const h = (t: number, extra: string[]) => {
        const args = ['history', 'c.csv', '-a', 'a.csv', '--as-of', '2026-11-15T12:00:00Z', '--format', 'json', '--threads', String(t), ...extra];
        return t === 1 ? runMain(args, { cwd: dir }) : runCli(args, { cwd: dir });
      };
      const h1 = await h(1, []);
      const h3 = await h(3, ['--min-range-bytes', '100']);
      expect(h3.code).toBe(h1.code);
      expect(h3.stdout).toBe(h1.stdout);
      // The notes of how the files were read on threads aside.
      const said = (r: Run): string => r.stderr.replace(/^funnel: [ac]\.csv: (folded|replayed) (in \d ranges on as many threads|on one thread: .*)\n/gm, '');
      expect(said(h3)).toBe(said(h1));
    });
  }
});

describe('the first range made smaller by the work alongside it', () => {
  it('gives every thread an even share of fold and scan, the first never less than a tenth of its share of the file', async () => {
    const { alongsideWeight } = await import('../src/aggregate/ranges.js');
    expect(alongsideWeight(1000, 2, undefined)).toBe(1);
    expect(alongsideWeight(1000, 1, 500)).toBe(1);
    // 1000 bytes of activities and 100 of contacts (120 of work) on two threads: 560 each, 440 of them folded first.
    expect(alongsideWeight(1000, 2, 100)).toBeCloseTo(440 / 560, 10);
    // On three: 373.3 each; the first folds 253.3, the two others 373.3.
    expect(alongsideWeight(1000, 3, 100)).toBeCloseTo((1120 / 3 - 120) / ((1000 - (1120 / 3 - 120)) / 2), 10);
    // More to scan than a share: the first range keeps a tenth of the file's share (50 of 1000 on two threads).
    expect(alongsideWeight(1000, 2, 10_000)).toBeCloseTo(50 / 950, 10);
  });
});
