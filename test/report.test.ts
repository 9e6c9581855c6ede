import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { parseReportInput } from '../src/output/report/inputs.js';
import { renderReport } from '../src/output/report/render.js';
import { InputError } from '../src/errors.js';
import type { Summary } from '../src/output/summary.js';

const GOLDEN = join(ROOT, 'fixtures', 'golden');
const HISTORY = join(ROOT, 'fixtures', 'report', 'history.json');

function summaryOf(over: Partial<Summary> = {}): Summary {
  return {
    tool: { name: 'funnel', version: '0.1.0' },
    as_of: '2026-11-15T00:00:00Z',
    rules: { source: 'rules.yaml', sha256: '' },
    inputs: { contacts: [{ file: 'c.csv', rows: 1234 }], activities: [] },
    output: { rows: 1234, format: 'csv', files: [] },
    total: 1234,
    stages: [
      { id: 'lead', label: 'lead', count: 1000, share: 1000 / 1234, reached: 1200, conversion: null },
      { id: 'mql', label: 'MQL', count: 200, share: 200 / 1234, reached: 200, conversion: 200 / 1200 },
    ],
    disqualified: { total: 34, by_reason: { competitor: 34 } },
    not_contactable: 12,
    rows_with_warnings: 0,
    warnings_by_kind: {},
    unmatched_activity_rows: 0,
    undated_activity_rows: 0,
    duration_ms: 1,
    ...over,
  };
}

function errorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('report inputs', () => {
  it('tells a summary from a history by their shape', () => {
    expect(parseReportInput('s.json', JSON.stringify(summaryOf())).kind).toBe('summary');
    expect(parseReportInput('h.json', readFileSync(HISTORY, 'utf8')).kind).toBe('history');
  });

  it('names the line of invalid JSON, and the field that is missing or of the wrong type', () => {
    expect(errorOf(() => parseReportInput('s.json', '{\n  "total": 3,\n  oops\n}')).format()).toMatch(/^s\.json:3:\d+: not valid JSON/);
    const noCount = summaryOf();
    delete (noCount.stages[1] as Partial<Summary['stages'][number]>).count;
    expect(errorOf(() => parseReportInput('s.json', JSON.stringify(noCount))).format()).toBe(
      "s.json: stages[1].count: expected a number — give a file written by 'classify --summary-file' or 'history --format json'",
    );
    expect(errorOf(() => parseReportInput('s.json', JSON.stringify({ ...summaryOf(), disqualified: { total: 1, by_reason: { x: '1' } } }))).message).toBe('disqualified.by_reason.x: expected a number');
    expect(errorOf(() => parseReportInput('x.json', '[1, 2]')).message).toBe('the file: expected an object');
    expect(errorOf(() => parseReportInput('x.json', '{"name": "x"}')).message).toBe('neither a funnel summary nor a history');
    const h = JSON.parse(readFileSync(HISTORY, 'utf8')) as { rows: { balance: unknown }[] };
    h.rows[3]!.balance = 'many';
    expect(errorOf(() => parseReportInput('h.json', JSON.stringify(h))).message).toBe('rows[3].balance: expected a number');
  });
});

describe('report page', () => {
  it('escapes every text of the JSON, in the page and in the charts', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const s = summaryOf({ rules: { source: `"${evil}`, sha256: '' } });
    s.stages[1]!.label = evil;
    s.disqualified.by_reason = { [`<script>alert(1)</script>`]: 34 };
    const html = renderReport([{ kind: 'summary', file: `${evil}.json`, data: s }], { title: evil, generator: 'funnel test' });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });

  it('has thousands separators, the legend, and each number of the summary in a table', () => {
    const html = renderReport([{ kind: 'summary', file: 's.json', data: summaryOf() }], { generator: 'funnel test' });
    const tables = html.match(/<table>[\s\S]*?<\/table>/g)!.join('');
    for (const n of ['1,234', '1,000', '1,200', '200', '16.7%', '34', '12']) expect(tables).toContain(`>${n}<`);
    expect(html).toContain('<b>reached</b>: contacts at this stage or a more mature one');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('gives a trend over runs in time order, whatever the order of the files', () => {
    const a = summaryOf({ as_of: '2026-10-01T00:00:00Z', total: 10 });
    const b = summaryOf({ as_of: '2026-11-01T00:00:00Z', total: 20 });
    const html = renderReport(
      [
        { kind: 'summary', file: 'b.json', data: b },
        { kind: 'summary', file: 'a.json', data: a },
      ],
      { generator: 'funnel test' },
    );
    expect(html).toContain('2 runs, from 2026-10-01 to 2026-11-01');
    expect(html.indexOf('<th scope="row">2026-10-01</th>')).toBeLessThan(html.indexOf('<th scope="row">2026-11-01</th>'));
    expect(html).toContain('The funnel at the last run (2026-11-01)');
  });

  it('renders a history: balance, entered, conversion by cohort, velocity, segments', () => {
    const h = parseReportInput('h.json', readFileSync(HISTORY, 'utf8'));
    const html = renderReport([h], { generator: 'funnel test' });
    for (const t of ['Contacts at each stage at the end of each month', 'Entered per month', 'Conversion by cohort', 'Velocity: days from stage to stage', 'History by Lead Source', 'Referral &#60;b&#62;&#38;']) expect(html).toContain(t);
    expect(html).not.toContain('Referral <b>');
  });
});

describe('funnel report on the command line', () => {
  it('writes the page from classify --summary-file, and classify --report writes the same page', async () => {
    const dir = tempDir();
    const r = await runMain(['classify', join(GOLDEN, 'contacts.csv'), '-a', join(GOLDEN, 'activities.csv'), '--as-of', '2026-11-15', '--out-dir', join(dir, 'out'), '--summary', 'none', '--summary-file', join(dir, 's.json'), '--report', join(dir, 'direct.html'), '--title', 'Q4 & co'], { cwd: dir });
    expect(r.code).toBe(0);
    const rep = await runMain(['report', 's.json', '-o', 'report.html', '--title', 'Q4 & co'], { cwd: dir });
    expect(rep).toEqual({ code: 0, stdout: '', stderr: '' });
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    const direct = readFileSync(join(dir, 'direct.html'), 'utf8');
    expect(direct).toContain('<title>Q4 &#38; co</title>');
    const strip = (s: string): string => s.replace(/zr\d+-[\w-]+/g, 'zr').replace(/from [^<]*\.<\/footer>/, '');
    expect(strip(direct)).toBe(strip(page));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes to standard output with -o -, reads standard input with -', async () => {
    const dir = tempDir();
    const r = await runMain(['report', '-', '-o', '-', '--title', 'Weekly'], { cwd: dir, input: JSON.stringify(summaryOf()) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<!DOCTYPE html>/);
    expect(r.stdout).toContain('<title>Weekly</title>');
    expect(r.stdout).toContain('from &#60;stdin&#62;');
  });

  it('fails with one line and the right exit code', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 's.json'), JSON.stringify(summaryOf()));
    writeFileSync(join(dir, 'bad.json'), '{"total": 1,');
    const missing = await runMain(['report', 'nope.json', '-o', 'r.html'], { cwd: dir });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe("funnel: error: nope.json: no such file — check the path\n");
    const bad = await runMain(['report', 's.json', 'bad.json', '-o', 'r.html'], { cwd: dir });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^funnel: error: bad\.json:1:\d+: not valid JSON: .* — give a file written by/);
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
    const noOut = await runMain(['report', 's.json'], { cwd: dir });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("required option '-o, --output <file>' not specified");
    const over = await runMain(['report', 's.json', '-o', 's.json'], { cwd: dir });
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('the output s.json is the input s.json');
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))).toMatchObject({ total: 1234 });
  });
});

describe('the report of a real history', () => {
  it('history --report writes the page of the JSON history --format json writes', async () => {
    const dir = tempDir();
    const H = join(ROOT, 'fixtures', 'history');
    const args = ['history', join(H, 'contacts.csv'), '-a', join(H, 'activities.csv'), '-r', join(H, 'rules.yaml'), '--as-of', '2026-11-15', '--by', 'lifecycle'];
    const r = await runMain([...args, '--format', 'json', '-o', join(dir, 'h.json'), '--report', join(dir, 'direct.html'), '--title', 'Lifecycle'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'direct.html'), 'utf8')).toContain('<title>Lifecycle</title>');
    const h = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8')) as { rows: { period: string; stage: string; balance: number; entered: number }[]; segments: { segment: string }[]; velocity: { from: string }[] };
    const rep = await runMain(['report', 'h.json', '-o', 'r.html', '--title', 'Lifecycle'], { cwd: dir });
    expect(rep.code, rep.stderr).toBe(0);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    const strip = (s: string): string => s.replace(/zr\d+-[\w-]+/g, 'zr').replace(/from [^<]*\.<\/footer>/, '');
    expect(strip(readFileSync(join(dir, 'direct.html'), 'utf8'))).toBe(strip(html));
    // Every balance of the history is in the table of balances, at its period and stage.
    const table = html.split('<caption>Contacts at each stage at the end of each month</caption>')[1]!.split('</table>')[0]!;
    const lines = table.split('<tr>').slice(2);
    const periods = [...new Set(h.rows.map((x) => x.period))];
    periods.forEach((p, i) => {
      const cells = [...lines[i]!.matchAll(/<t[hd][^>]*>([^<]*)</g)].map((m) => m[1]);
      expect(cells[0]).toBe(p);
      expect(cells.slice(1).map(Number)).toEqual(h.rows.filter((x) => x.period === p).map((x) => x.balance));
    });
    for (const sg of h.segments) expect(html).toContain(`<th scope="row">${sg.segment.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</th>`);
    expect(html).toContain(`History by ${(h as unknown as { by: string }).by}`);
    expect(h.velocity.length).toBeGreaterThan(0);
  });
});
