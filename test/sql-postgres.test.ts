import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { classify } from '../src/commands/classify.js';
import { resolveRun } from '../src/commands/run-setup.js';
import { compileSql } from '../src/sql/compile.js';
import { DIALECTS } from '../src/sql/dialect.js';
import { rulesFrom, ROOT, tempDir } from './helpers.js';

/**
 * The DuckDB equivalence, on a real PostgreSQL started for the test from the machine's own server binaries
 * (Debian's postgresql), through psql. Where the machine has no PostgreSQL server, the suite says so and fails,
 * rather than passing without checking.
 */
const AS_OF = Date.parse('2026-11-15T00:00:00Z');
const PORT = 54000 + (process.pid % 1000);
let dir = '';

function sh(cmd: string): void {
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'pipe' });
}

function psql(sql: string): string {
  const r = spawnSync('psql', ['-h', dir, '-p', String(PORT), '-U', 'postgres', '-d', 'postgres', '--csv', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function loadCsv(table: string, file: string): void {
  const header = (parse(readFileSync(file), { to_line: 1 }) as string[][])[0]!;
  const cols = header.map((h) => `"${h.replace(/"/g, '""')}" text`).join(', ');
  psql(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${cols});\n\\copy ${table} FROM '${file}' WITH (FORMAT csv, HEADER true)\n`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'funnel-pg-'));
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  sh(`initdb -D ${dir}/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > ${dir}/initdb.log 2>&1`);
  sh(`pg_ctl -D ${dir}/data -o "-k ${dir} -p ${PORT} -c listen_addresses=''" -w -l ${dir}/server.log start`);
}, 60_000);

afterAll(() => {
  try {
    sh(`pg_ctl -D ${dir}/data -m immediate -w stop`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function viaCli(contacts: string, activities: string): Promise<Record<string, string>[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await classify(
    { ...resolveRun({ rules: join(ROOT, 'rules.example.yaml'), asOf: '2026-11-15T00:00:00Z' }, { cwd: ROOT, env: {} }), contacts: [contacts], activities: [activities], output: '-', format: 'csv', strict: false, prefix: 'funnel_', cwd: tempDir() },
    { stdout: out, warn: () => {}, note: () => {} },
  );
  return parse(text, { columns: true }) as Record<string, string>[];
}

describe('funnel sql on a real PostgreSQL gives the CLI results', () => {
  it.each([
    ['golden', join(ROOT, 'fixtures', 'golden', 'contacts.csv'), join(ROOT, 'fixtures', 'golden', 'activities.csv')],
    ['hubspot', join(ROOT, 'fixtures', 'hubspot', 'contacts.csv'), join(ROOT, 'fixtures', 'hubspot', 'activities.csv')],
  ])('example rules on the %s fixture', async (name, contacts, activities) => {
    loadCsv('contacts', contacts);
    loadCsv('activities', activities);
    const query = compileSql(rulesFrom(readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8')), DIALECTS.postgres, { contactsTable: 'contacts', activitiesTable: 'activities', asOf: AS_OF, prefix: 'funnel_' });
    writeFileSync(join(dir, 'q.sql'), query);
    const sql = parse(psql(query), { columns: true }) as Record<string, string>[];
    const cli = await viaCli(contacts, activities);
    expect(sql).toHaveLength(cli.length);
    cli.forEach((c, i) => {
      const s = sql[i]!;
      const where = `${name} row ${i + 1} (${c.Email})`;
      expect([s.Email, s.funnel_stage, Number(s.funnel_fit), s.funnel_persona, s.funnel_contactable, s.funnel_content, s.funnel_action], where).toEqual([c.Email, c.funnel_stage, Number(c.funnel_fit), c.funnel_persona, c.funnel_contactable, c.funnel_content, c.funnel_action]);
      expect(Math.abs(Number(s.funnel_score) - Number(c.funnel_score)), where).toBeLessThanOrEqual(0.05);
    });
  });

  it('literals stay literals under standard_conforming_strings = off', () => {
    const yaml = `contacts: { key: Email }
stages:
  - { id: s, action: '\\' }
  - { id: t, action: "); DROP TABLE victims; --", when: { field: Email, in: ['\\', "); DROP TABLE victims; --", "a@x.com"] } }
`;
    const query = compileSql(rulesFrom(yaml), DIALECTS.postgres, { contactsTable: 'contacts', asOf: AS_OF, prefix: 'funnel_' });
    psql(`DROP TABLE IF EXISTS victims; CREATE TABLE victims (x int); INSERT INTO victims VALUES (1);
DROP TABLE IF EXISTS contacts; CREATE TABLE contacts ("Email" text); INSERT INTO contacts VALUES ('a@x.com'), ('b@x.com');`);
    const text = psql(`SET standard_conforming_strings = off;\n${query}`);
    expect(text.startsWith('SET\n')).toBe(true);
    const out = parse(text.slice(4), { columns: true }) as Record<string, string>[];
    expect(out.map((r) => [r.funnel_stage, r.funnel_action])).toEqual([
      ['t', '); DROP TABLE victims; --'],
      ['s', '\\'],
    ]);
    expect(psql('SELECT count(*) AS n FROM victims;')).toBe('n\n1\n');
  });
});
