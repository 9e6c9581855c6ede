/** JSON and NDJSON read as written, columns by name whatever the record order, limits that end in exit 3. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

function setup(files: Record<string, string>): (name: string) => string {
  const dir = tempDir();
  writeFiles(dir, files);
  return (name) => join(dir, name);
}

const rows = (csv: string): Record<string, string>[] => parse(csv, { columns: true }) as Record<string, string>[];
const KEY_RULES = 'contacts: { key: Email }\nstages: [ { id: s } ]\n';

describe('JSON values are the text of the input', () => {
  it.each([
    ['c.json', '{"results": [{"Email": "a@x.com", "id": 12345678901234567890, "n": 1.10, "e": 1e3, "neg": -0.0, "t": [1.50, {"k": 2E+2}], "u": "\\u00e9\\n"}]}'],
    ['c.ndjson', '{"Email": "a@x.com", "id": 12345678901234567890, "n": 1.10, "e": 1e3, "neg": -0.0, "t": [1.50, {"k": 2E+2}], "u": "\\u00e9\\n"}\n'],
  ])('%s keeps numbers as written', async (name, text) => {
    const f = setup({ [name]: text, 'r.yaml': KEY_RULES });
    const res = await runMain(['classify', f(name), '-r', f('r.yaml'), '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(rows(res.stdout)[0]).toMatchObject({ id: '12345678901234567890', n: '1.10', e: '1e3', neg: '-0.0', t: '[1.50,{"k":2E+2}]', u: 'é\n' });
  });
});

describe('JSON columns by name, not by record order', () => {
  const rules = 'contacts: { key: Email }\nactivities: { key: email, type: kind, time: created }\nstages:\n  - { id: s }\n  - { id: lead, when: { activity: demo, since: 2026-01-01 } }\n';
  const deep = '{"email": "a@x.com", "kind": "demo", "data": {"sentBy": {"created": "2025-01-01"}}}';
  const shallow = '{"email": "a@x.com", "kind": "demo", "data": {"created": "2026-03-01", "sentBy": {"created": "2025-01-01"}}}';
  it.each([
    ['deep first', `${deep}\n${shallow}\n`],
    ['shallow first', `${shallow}\n${deep}\n`],
  ])('a name finds the shallowest flattened key (%s)', async (_n, events) => {
    const f = setup({ 'c.csv': 'Email\na@x.com\n', 'a.ndjson': events, 'r.yaml': rules });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.ndjson'), '-r', f('r.yaml'), '--as-of', '2026-06-01', '-o', '-', '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(rows(res.stdout)[0]!.funnel_stage).toBe('lead');
    expect(res.stderr).toContain('a.ndjson: 1 activity row(s) with an unparsable date');
  });

  it('a tie between keys as deep is an error naming them', async () => {
    const f = setup({ 'c.csv': 'Email\na@x.com\n', 'a.ndjson': '{"email": "a@x.com", "kind": "demo", "a": {"created": "2026-01-01"}}\n{"b": {"created": "2026-01-01"}}\n', 'r.yaml': rules });
    const res = await runMain(['classify', f('c.csv'), '-a', f('a.ndjson'), '-r', f('r.yaml'), '-o', '-']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/a\.ndjson:1: the activity time column 'created' matches several columns equally \(a\.created, b\.created\)/);
  });

  it('a flat key equal to a flattened nested one: both kept under distinct names, with a warning in the summary', async () => {
    const f = setup({ 'c.json': '[{"properties.Name": "flat", "properties": {"Name": "nested"}, "Email": "a@x.com"}, {"Email": "b@x.com", "properties": {"Name": "n2"}}]', 'r.yaml': KEY_RULES });
    const res = await runMain(['classify', f('c.json'), '-r', f('r.yaml'), '-o', '-', '--summary-file', f('s.json'), '--summary', 'none']);
    expect(res.code, res.stderr).toBe(0);
    expect(rows(res.stdout).map((r) => [r['properties.Name'], r['properties.Name_2']])).toEqual([['nested', 'flat'], ['n2', '']]);
    const warning = "c.json: the key 'properties.Name' is both a nested key and a key written with a dot; the second is the column 'properties.Name_2'";
    expect(res.stderr).toContain(warning);
    const summary = JSON.parse(readFileSync(f('s.json'), 'utf8')) as { warnings: string[] };
    expect(summary.warnings.some((w) => w.endsWith(warning))).toBe(true);
  });

  it('NDJSON activities read from standard input (kept for the second pass) give the same result as from a file', async () => {
    const events = '{"email": "a@x.com", "kind": "demo", "data": {"created": "2026-03-01"}}\n';
    const f = setup({ 'c.csv': 'Email\na@x.com\n', 'a.ndjson': events, 'r.yaml': rules });
    const args = ['-r', f('r.yaml'), '--as-of', '2026-06-01', '-o', '-', '--summary', 'none'];
    const piped = await runMain(['classify', f('c.csv'), '-a', '-', ...args], { input: events });
    const file = await runMain(['classify', f('c.csv'), '-a', f('a.ndjson'), ...args]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe(file.stdout);
    expect(rows(piped.stdout)[0]!.funnel_stage).toBe('lead');
  });
});

describe('JSON limits: exit 3 with the file named, never a crash', () => {
  it('a document nested 100k deep', async () => {
    const f = setup({ 'deep.json': `[{"Email": "a@x.com", "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]`, 'deep.ndjson': `{"Email": "a@x.com", "x": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}\n`, 'r.yaml': KEY_RULES });
    for (const name of ['deep.json', 'deep.ndjson']) {
      const res = await runMain(['classify', f(name), '-r', f('r.yaml'), '-o', '-']);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}:1:\\d+: JSON nested deeper than 1000 levels`));
    }
  });

  it('an NDJSON record over 32 MB, ended as soon as the limit is passed; a long line under it is read in linear time', async () => {
    const big = `{"Email": "a@x.com", "v": "${'x'.repeat(33 << 20)}"}\n`;
    const long = `{"Email": "b@x.com", "v": "${'y'.repeat(20 << 20)}"}\n`;
    const f = setup({ 'big.ndjson': `{"Email": "z@x.com"}\n${big}`, 'long.ndjson': long, 'big.json': `[${big}]`, 'r.yaml': KEY_RULES });
    for (const [name, line] of [['big.ndjson', 2], ['big.json', 1]] as const) {
      const res = await runMain(['classify', f(name), '-r', f('r.yaml'), '-o', '-']);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}:${line}: a record longer than 32 MB`));
    }
    const t = Date.now();
    const ok = await runMain(['classify', f('long.ndjson'), '-r', f('r.yaml'), '-o', f('out.csv'), '--summary', 'none']);
    expect(ok.code, ok.stderr).toBe(0);
    // Quadratic joining took minutes for such a line; linear reading takes well under this bound.
    expect(Date.now() - t).toBeLessThan(15_000);
  }, 30_000);
});
