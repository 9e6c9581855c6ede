import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { CHROMIUM, inspect, launch } from './browser.js';
import type { Summary } from '../src/output/summary.js';

const GOLDEN = join(ROOT, 'fixtures', 'golden');
const OUT = join(ROOT, 'test-output');
const HISTORY = join(ROOT, 'fixtures', 'report', 'history.json');

if (!CHROMIUM) console.log('report browser tests skipped: no chromium at /usr/bin/chromium (apt-get install chromium)');

describe.skipIf(!CHROMIUM)('the report in a real browser', () => {
  let session: Awaited<ReturnType<typeof launch>>;
  let dir: string;
  let last: Summary;
  beforeAll(async () => {
    session = await launch();
    dir = tempDir();
    mkdirSync(OUT, { recursive: true });
    const base = ['classify', join(GOLDEN, 'contacts.csv'), '-a', join(GOLDEN, 'activities.csv'), '--summary', 'none'];
    // Paths absolute: classify resolves its outputs against the process's folder.
    const r1 = await runMain([...base, '--as-of', '2026-09-15', '--out-dir', join(dir, 'run1'), '--summary-file', join(dir, 's1.json')], { cwd: dir });
    expect(r1.stderr).not.toContain('error');
    expect(r1.code).toBe(0);
    const r2 = await runMain([...base, '--as-of', '2026-11-15', '--out-dir', join(dir, 'run2'), '--summary-file', join(dir, 's2.json'), '--by', 'Country', '--previous', join(dir, 'run1', 'contacts.csv')], { cwd: dir });
    expect(r2.stderr).not.toContain('error');
    expect(r2.code).toBe(0);
    last = JSON.parse(readFileSync(join(dir, 's2.json'), 'utf8')) as Summary;
    const H = join(ROOT, 'fixtures', 'history');
    const h = await runMain(['history', join(H, 'contacts.csv'), '-a', join(H, 'activities.csv'), '-r', join(H, 'rules.yaml'), '--as-of', '2026-11-15', '--by', 'lifecycle', '--format', 'json', '-o', join(dir, 'history.json')], { cwd: dir });
    expect(h.stderr).not.toContain('error');
    expect(h.code).toBe(0);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('shows every stage and count of the summary, with charts, no console error and no request', async () => {
    const r = await runMain(['report', 's1.json', 's2.json', 'history.json', HISTORY, '-o', 'report.html', '--title', 'Q4 <pipeline> & co'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Q4 &#60;pipeline&#62; &#38; co');
    for (const [name, viewport] of [
      ['report-desktop', { width: 1100, height: 900 }],
      ['report-phone', { width: 390, height: 844 }],
    ] as const) {
      const page = await inspect(session.browser, join(dir, 'report.html'), viewport);
      writeFileSync(join(OUT, `${name}.png`), page.screenshot);
      expect(page.consoleErrors).toEqual([]);
      expect(page.requests).toEqual([]);
      expect(page.text).toContain('Q4 <pipeline> & co');
      for (const st of last.stages) {
        expect(page.text).toContain(st.id);
        expect(page.text).toContain(st.count.toLocaleString('en-US'));
        expect(page.text).toContain(st.reached.toLocaleString('en-US'));
      }
      expect(page.svgs.length).toBeGreaterThanOrEqual(8);
      for (const svg of page.svgs) {
        expect(svg.width).toBeGreaterThan(100);
        expect(svg.height).toBeGreaterThan(50);
        expect(svg.elements).toBeGreaterThan(3);
        // Never wider than the screen: charts scale down on a phone.
        expect(svg.width).toBeLessThanOrEqual(viewport.width);
      }
    }
  });
});
