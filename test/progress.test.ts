import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe as describeProgress, ProgressDisplay, progressMode } from '../src/cli/progress.js';
import { PhaseMeter, type ProgressEvent } from '../src/util/progress.js';
import { tempDir } from './helpers.js';
import { runMain } from './terminal.js';

function capture(columns = 100): Writable & { text: string; writes: number; columns: number } {
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      w.text += chunk.toString();
      w.writes++;
      cb();
    },
  }) as Writable & { text: string; writes: number; columns: number };
  w.text = '';
  w.writes = 0;
  w.columns = columns;
  return w;
}

const ev = (over: Partial<ProgressEvent> = {}): ProgressEvent => ({ phase: 'reading activities', bytes: 0, totalBytes: 1000, rows: 0, ...over });

describe('progress display', () => {
  it('shows bars on a terminal, lines with --progress off one, nothing otherwise or with --quiet/--no-progress', () => {
    expect(progressMode({ tty: true })).toBe('bar');
    expect(progressMode({ tty: false })).toBe('off');
    expect(progressMode({ tty: false, progress: true })).toBe('lines');
    expect(progressMode({ tty: true, progress: false })).toBe('off');
    expect(progressMode({ tty: true, quiet: true })).toBe('off');
  });

  it('redraws a bar at most 10 times a second, never wider than the terminal', () => {
    let t = 0;
    const out = capture(60);
    const d = new ProgressDisplay(out, 'bar', () => t);
    for (let i = 0; i <= 1000; i++) {
      t = i; // 1000 updates in one second
      d.update(ev({ bytes: i, rows: i * 10 }));
    }
    expect(out.writes).toBeLessThanOrEqual(11);
    for (const draw of out.text.split('\r').filter((x) => x)) expect([...draw.replace('\x1b[K', '')].length).toBeLessThanOrEqual(59);
    expect(out.text).toMatch(/\rreading activities +░{12}   0%  0 rows\x1b\[K\r/);
    expect(out.text).toMatch(/\rreading activities +█{12} 100%  10,000 rows  10k[^\r]*\x1b\[K$/);
  });

  it('is cleared before a message, then drawn again at once', () => {
    let t = 0;
    const out = capture();
    const d = new ProgressDisplay(out, 'bar', () => t);
    d.update(ev({ bytes: 500, rows: 5 }));
    d.clear();
    expect(out.text.endsWith('\r\x1b[K')).toBe(true);
    const before = out.writes;
    d.clear(); // nothing shown: nothing written
    expect(out.writes).toBe(before);
    t = 10;
    d.update(ev({ bytes: 600, rows: 6 }));
    expect(out.writes).toBe(before + 1);
  });

  it('writes a plain line every few seconds off a terminal', () => {
    let t = 0;
    const out = capture();
    const d = new ProgressDisplay(out, 'lines', () => t);
    for (let i = 0; i <= 10_000; i += 50) {
      t = i;
      d.update(ev({ bytes: i / 10, rows: i }));
    }
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3); // at 3, 6 and 9 s
    expect(lines[0]).toBe('funnel: reading activities:  30%  3,000 rows  1000/s  ETA 7s');
    expect(out.text).not.toMatch(/[\r\x1b]/);
  });

  it('computes percent from bytes and ETA from the byte rate; no percent for standard input', () => {
    expect(describeProgress(ev({ bytes: 250, rows: 2_500_000 }), 10_000)).toEqual({ fraction: 0.25, text: ' 25%  2,500,000 rows  250k/s  ETA 30s' });
    expect(describeProgress(ev({ totalBytes: undefined, rows: 12 }), 100)).toEqual({ text: '12 rows' });
  });

  it('estimates the bytes of ranges other threads read from their rows', () => {
    const seen: ProgressEvent[] = [];
    const m = new PhaseMeter((e) => seen.push({ ...e }));
    m.start('reading activities', 1000);
    m.bytes(200); // this thread: 200 bytes for 100 rows
    m.rows(300, 100); // all threads: 300 rows
    expect(seen.at(-1)).toMatchObject({ bytes: 600, rows: 300 });
    m.nextFile(400);
    m.rows(10);
    expect(seen.at(-1)).toMatchObject({ rows: 410 });
  });
});

describe('progress of a classify run', () => {
  it('on a terminal: bars for the phases, each message on a clean line, nothing left at the end', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), 'Email\na@x.com\n');
    writeFileSync(join(dir, 'a.csv'), 'Email,Activity Type,Activity Date\n' + 'a@x.com,Page View,2026-11-01\nnobody@x.com,Page View,not a date\n'.repeat(40_000));
    const r = await runMain(['classify', join(dir, 'c.csv'), '-a', join(dir, 'a.csv'), '--out-dir', join(dir, 'out'), '--summary', 'none', '--threads', '1'], { cwd: dir, tty: true, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\rreading activities +[█░]+ +\d+%/);
    expect(r.stderr).toMatch(/\rclassifying and writing /);
    // A message never follows a bar on its line: the bar is cleared first.
    expect(r.stderr).not.toMatch(/[█░][^\r\n]*funnel:/);
    expect(r.stderr).toContain('funnel: warning:');
    const visible = r.stderr.replace(/\r[^\r\n]*?\x1b\[K/g, '');
    expect(visible.split('\n').filter((l) => l).every((l) => l.startsWith('funnel: '))).toBe(true);
    expect(r.stderr.endsWith('\n')).toBe(true);
  });
});
