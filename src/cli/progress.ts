/**
 * Progress on stderr. On a terminal: one bar per phase with percent of bytes, rows, rows/s and ETA, redrawn at
 * most 10 times a second and cleared before any other message. Off a terminal: nothing, unless --progress asks
 * for it, then a plain line every few seconds.
 */
import type { Writable } from 'node:stream';
import type { ProgressEvent } from '../util/progress.js';
import { thousands } from '../util/text.js';

export type ProgressMode = 'bar' | 'lines' | 'off';

const BAR_MS = 100;
const LINE_MS = 3000;
const CELLS = 12;

export function progressMode(o: { quiet?: boolean; progress?: boolean; tty: boolean }): ProgressMode {
  if (o.quiet || o.progress === false) return 'off';
  if (o.tty) return 'bar';
  return o.progress ? 'lines' : 'off';
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  const m = Math.floor(t / 60);
  return m < 60 ? `${m}m${String(t % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function rate(perSec: number): string {
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)}M`;
  if (perSec >= 1e4) return `${Math.round(perSec / 1e3)}k`;
  return String(Math.round(perSec));
}

/** The figures of a line: percent (when the size is known), rows, rate, ETA. */
export function describe(ev: ProgressEvent, elapsedMs: number): { fraction?: number; text: string } {
  const secs = elapsedMs / 1000;
  const parts = [`${thousands(ev.rows)} rows`];
  if (secs >= 0.5) parts.push(`${rate(ev.rows / secs)}/s`);
  if (!ev.totalBytes) return { text: parts.join('  ') };
  const fraction = Math.min(1, ev.bytes / ev.totalBytes);
  if (secs >= 0.5 && ev.bytes > 0 && fraction < 1) parts.push(`ETA ${duration(((ev.totalBytes - ev.bytes) * secs) / ev.bytes)}`);
  return { fraction, text: `${String(Math.floor(fraction * 100)).padStart(3)}%  ${parts.join('  ')}` };
}

function bar(fraction: number): string {
  const full = Math.floor(fraction * CELLS);
  return '█'.repeat(full) + '░'.repeat(CELLS - full);
}

export class ProgressDisplay {
  private phase = '';
  private phaseStart = 0;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(
    private readonly out: Writable & { columns?: number },
    readonly mode: ProgressMode,
    private readonly now: () => number = Date.now,
  ) {}

  update = (ev: ProgressEvent): void => {
    if (this.mode === 'off') return;
    const t = this.now();
    if (ev.phase !== this.phase) {
      this.phase = ev.phase;
      this.phaseStart = t;
      if (this.mode === 'lines') this.lastDraw = t;
    }
    if (t - this.lastDraw < (this.mode === 'bar' ? BAR_MS : LINE_MS)) return;
    this.lastDraw = t;
    const d = describe(ev, t - this.phaseStart);
    if (this.mode === 'lines') {
      this.out.write(`funnel: ${ev.phase}: ${d.text}\n`);
      return;
    }
    const line = `${ev.phase.padEnd(23)} ${d.fraction === undefined ? '' : `${bar(d.fraction)} `}${d.text}`;
    this.draw(line);
  };

  /** A free-form status (commands that count rows only). */
  status = (message: string): void => {
    if (this.mode === 'off') return;
    const t = this.now();
    if (t - this.lastDraw < (this.mode === 'bar' ? BAR_MS : LINE_MS)) return;
    this.lastDraw = t;
    if (this.mode === 'lines') this.out.write(`funnel: ${message}\n`);
    else this.draw(message);
  };

  private draw(line: string): void {
    // Never wider than the terminal: a wrapped line could not be redrawn in place.
    const max = Math.max(20, (this.out.columns || 80) - 1);
    this.out.write(`\r${[...line].slice(0, max).join('')}\x1b[K`);
    this.shown = true;
  }

  /** Clears the bar, before a message or at the end of the run. */
  clear = (): void => {
    if (!this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
    // The next update redraws at once.
    this.lastDraw = -Infinity;
  };
}
