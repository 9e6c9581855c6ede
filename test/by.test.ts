import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import type { Summary } from '../src/output/summary.js';

const GOLDEN = join(ROOT, 'fixtures', 'golden');
const base = (dir: string): string[] => ['classify', join(GOLDEN, 'contacts.csv'), '-a', join(GOLDEN, 'activities.csv'), '--as-of', '2026-11-15', '--out-dir', join(dir, 'out')];

describe('--by: the funnel per value of a field', () => {
  it('classify: segments whose counts are those of the annotated rows, in the JSON and the table', async () => {
    const dir = tempDir();
    const r = await runMain([...base(dir), '--by', 'Country', '--summary', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.by).toBe('Country');
    const rows = parse(readFileSync(join(dir, 'out', 'contacts.csv')), { columns: true }) as Record<string, string>[];
    expect(s.segments!.reduce((a, sg) => a + sg.total, 0)).toBe(rows.length);
    for (const sg of s.segments!) {
      const mine = rows.filter((row) => (sg.segment === '(none)' ? row.Country!.trim() === '' : row.Country!.trim().toLowerCase() === sg.segment.toLowerCase()));
      expect(sg.total).toBe(mine.length);
      for (const st of sg.stages) expect(st.count).toBe(mine.filter((row) => row.funnel_stage === st.id).length);
      // reached and conversion as the whole summary computes them
      const last = sg.stages[sg.stages.length - 1]!;
      expect(last.reached).toBe(last.count);
    }
    const sizes = s.segments!.filter((sg) => sg.segment !== '(none)').map((sg) => sg.total);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    const table = await runMain([...base(dir), '--by', 'Country'], { cwd: dir });
    expect(table.stdout).toContain('by Country: contacts that reached each stage');
    expect(table.stdout).toContain(s.segments![0]!.segment);
  });

  it('keeps the 20 largest values by name, folds the rest into (other) and empty values into (none)', async () => {
    const dir = tempDir();
    const lines = ['Email,Source'];
    // Source k has k+1 contacts: 25 sources, the 5 smallest go to (other); 3 contacts without one.
    for (let k = 0; k < 25; k++) for (let j = 0; j <= k; j++) lines.push(`s${k}-${j}@x.com,Source ${k}`);
    for (let j = 0; j < 3; j++) lines.push(`none${j}@x.com,${j === 0 ? '  ' : ''}`);
    writeFileSync(join(dir, 'c.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'rules.yaml'), 'version: 1\nfields: { lead_source: Source }\nstages:\n  - { id: s }\n  - { id: lead, when: { field: lead_source, in: [Source 24, Source 0] } }\n');
    const r = await runMain(['classify', join(dir, 'c.csv'), '-r', join(dir, 'rules.yaml'), '-o', join(dir, 'out.csv'), '--by', 'lead_source', '--summary', 'json'], { cwd: dir });
    expect(r.stderr).not.toContain('error');
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.segments!.map((sg) => sg.segment)).toEqual([...Array.from({ length: 20 }, (_, i) => `Source ${24 - i}`), '(other)', '(none)']);
    expect(s.segments!.find((sg) => sg.segment === '(other)')!.total).toBe(1 + 2 + 3 + 4 + 5);
    expect(s.segments!.find((sg) => sg.segment === '(none)')!.total).toBe(3);
    expect(s.segments!.find((sg) => sg.segment === '(other)')!.stages[0]!.reached).toBe(15);
    expect(s.segments!.find((sg) => sg.segment === '(other)')!.stages[1]!.reached).toBe(1);
    expect(s.segments![0]!.stages[1]).toMatchObject({ count: 25, reached: 25, conversion: 1 });
  });

  it('summary --by gives the segments classify gave', async () => {
    const dir = tempDir();
    const c = await runMain([...base(dir), '--by', 'job title', '--summary', 'json'], { cwd: dir });
    const s = await runMain(['summary', join(dir, 'out', 'contacts.csv'), '--by', 'job title', '--format', 'json'], { cwd: dir });
    expect(s.code).toBe(0);
    expect((JSON.parse(s.stdout) as Summary).segments).toEqual((JSON.parse(c.stdout) as Summary).segments);
  });

  it('a field that is no column is an error with a did-you-mean, and nothing is written', async () => {
    const dir = tempDir();
    const r = await runMain([...base(dir), '--by', 'Contry'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/funnel: error: .*contacts\.csv: --by 'Contry' is not a column of the contacts — did you mean 'Country'\?\n$/);
    expect(existsSync(join(dir, 'out', 'contacts.csv'))).toBe(false);
  });

  it('the report shows the segments as small multiples and tables', async () => {
    const dir = tempDir();
    const r = await runMain([...base(dir), '--by', 'Country', '--summary', 'none', '--report', join(dir, 'r.html')], { cwd: dir });
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('The funnel by Country');
    expect(html).toContain('<caption>Contacts at each stage, by Country</caption>');
    expect(html.match(/<div class="multiples">[\s\S]*?<\/div>/)![0].match(/<svg/g)!.length).toBeGreaterThan(2);
  });
});
