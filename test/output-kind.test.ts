import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { outputKind } from '../src/output/by-extension.js';

const GOLDEN = join(ROOT, 'fixtures', 'golden');
const AS_OF = ['--as-of', '2026-11-15'];

describe('output format by extension', () => {
  it('reads format, compression and delimiter from the name', () => {
    expect(outputKind('x.json')).toEqual({ gzip: false, format: 'json' });
    expect(outputKind('X.NDJSON')).toEqual({ gzip: false, format: 'ndjson' });
    expect(outputKind('x.jsonl.gz')).toEqual({ gzip: true, format: 'ndjson' });
    expect(outputKind('out/x.csv.gz')).toEqual({ gzip: true, format: 'csv' });
    expect(outputKind('x.tsv')).toEqual({ gzip: false, format: 'csv', delimiter: '\t' });
    expect(outputKind('x.txt')).toEqual({ gzip: false });
    expect(outputKind('-')).toEqual({ gzip: false });
    expect(outputKind(undefined)).toEqual({ gzip: false });
  });

  it('writes what -o names unless --format says otherwise; .gz compressed; the same rows every way', async () => {
    const dir = tempDir();
    const run = async (...args: string[]): Promise<void> => {
      const r = await runMain(['classify', join(GOLDEN, 'contacts.csv'), '-a', join(GOLDEN, 'activities.csv'), ...AS_OF, '--summary', 'none', ...args], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    };
    await run('-o', join(dir, 'a.csv'));
    await run('-o', join(dir, 'a.json'));
    await run('-o', join(dir, 'b.json'), '--format', 'json');
    await run('-o', join(dir, 'a.ndjson'));
    await run('-o', join(dir, 'a.csv.gz'));
    await run('-o', join(dir, 'a.tsv'));
    await run('-o', join(dir, 'csv.json'), '--format', 'csv');
    const csv = readFileSync(join(dir, 'a.csv'), 'utf8');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    const json = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as Record<string, unknown>[];
    expect(json.map((r) => r.Email)).toEqual(rows.map((r) => r.Email));
    expect(readFileSync(join(dir, 'a.ndjson'), 'utf8').trim().split('\n')).toHaveLength(rows.length);
    const gz = readFileSync(join(dir, 'a.csv.gz'));
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).toString('utf8')).toBe(csv);
    expect(parse(readFileSync(join(dir, 'a.tsv'), 'utf8'), { columns: true, delimiter: '\t' })).toEqual(rows);
    expect(readFileSync(join(dir, 'csv.json'), 'utf8')).toBe(csv);
  });

  it('a .tsv of a ; export: tabs between fields, quotes where a value holds a tab; --crlf for Excel', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), 'Email;Note\na@x.com;"one\ttwo"\nb@x.com;plain\n');
    const r = await runMain(['classify', join(dir, 'c.csv'), '-o', join(dir, 'o.tsv'), '--summary', 'none', ...AS_OF], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'o.tsv'), 'utf8').split('\n');
    expect(lines[0]!.startsWith('Email\tNote\tfunnel_stage\t')).toBe(true);
    expect(lines[1]!.startsWith('a@x.com\t"one\ttwo"\tsuspect\t')).toBe(true);
    expect(lines[2]!.startsWith('b@x.com\tplain\tsuspect\t')).toBe(true);
    const crlf = await runMain(['classify', join(dir, 'c.csv'), '-o', '-', '--crlf', '--summary', 'none', ...AS_OF], { cwd: dir });
    const out = crlf.stdout;
    expect(out.split('\r\n')).toHaveLength(4);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out.split('\r\n')[1]!.startsWith('a@x.com;one\ttwo;suspect;')).toBe(true);
  });
});
