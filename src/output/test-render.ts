/**
 * The report of `funnel test`: one line per case; under a failing one, what was expected, what came and the
 * reason; `N passed, N failed` alone on the last line, for a human and for `tail -1` alike.
 */
import type { ChalkInstance } from 'chalk';
import type { Failure, TestReport } from '../classify/test-result.js';

function show(v: string | number | string[]): string {
  if (Array.isArray(v)) return v.map((x) => `'${x}'`).join(', ');
  return typeof v === 'number' ? String(v) : v === '' ? '(empty)' : v;
}

function failureLine(f: Failure): string {
  if (f.expectation === 'reason_contains') return `expected the reason to contain ${show(f.expected)}`;
  const within = f.expectation === 'score' ? ' (±0.05)' : '';
  return `${f.expectation}: expected ${show(f.expected)}${within}, got ${show(f.got)}`;
}

export function renderTestText(r: TestReport, chalk: ChalkInstance): string {
  const lines: string[] = [];
  for (const c of r.cases) {
    if (c.passed) {
      lines.push(`${chalk.green('✓')} ${c.name}`);
      continue;
    }
    lines.push(`${chalk.red('✗')} ${c.name} ${chalk.dim(`(${c.file}:${c.line})`)}`);
    for (const f of c.failures) lines.push(`    ${failureLine(f)}`);
    lines.push(`    ${chalk.dim('reason:')} ${c.got.reason}`);
    if (c.got.warnings.length) lines.push(`    ${chalk.dim('warnings:')} ${c.got.warnings.join('; ')}`);
  }
  const summary = `${r.passed} passed, ${r.failed} failed`;
  lines.push(r.failed ? chalk.red(summary) : chalk.green(summary));
  return `${lines.join('\n')}\n`;
}

export function renderTestJson(r: TestReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
