/**
 * `funnel explain` for people: condition trees with every atom marked held (✓) or not (✗), and the evidence.
 * Values and names from the input are written printable (a value's escape sequence would reach the terminal).
 */
import type { ChalkInstance } from 'chalk';
import type { Explained } from '../classify/context.js';
import { printable } from '../util/text.js';
import type { ExplainResult } from '../classify/explain-result.js';

function mark(held: boolean, chalk: ChalkInstance): string {
  return held ? chalk.green('✓') : chalk.red('✗');
}

function tree(e: Explained, indent: string, chalk: ChalkInstance, out: string[]): void {
  if (e.children && (e.kind === 'all' || e.kind === 'any' || e.kind === 'not')) {
    const head = e.kind === 'not' ? 'not' : `${e.kind} of:`;
    out.push(`${indent}${mark(e.held, chalk)} ${head}`);
    for (const c of e.children) tree(c, `${indent}    `, chalk, out);
    return;
  }
  out.push(`${indent}${mark(e.held, chalk)} ${printable(e.text)}  ${chalk.dim('—')} ${printable(e.evidence)}`);
}

function num(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

export function renderExplainText(r: ExplainResult, chalk: ChalkInstance): string {
  const x = r.explanation;
  const v = x.verdict;
  const out: string[] = [];
  out.push(chalk.bold(`contact ${printable(r.key)}`) + `  ${printable(r.rows.map((w) => `${w.file}:${w.line}`).join(', '))}`);
  out.push(`as of ${r.as_of} — rules: ${r.rules}`);
  out.push('');
  out.push(chalk.bold('activity'));
  if (r.signals.length === 0) out.push('  no activity rows for this key');
  for (const s of r.signals) {
    const last = s.last_day ?? 'undated';
    const extra = s.undated && s.last ? `, ${s.undated} undated` : '';
    const used = s.used ? '' : chalk.dim('  (no rule reads this signal)');
    out.push(`  ${s.signal.padEnd(20)} ${String(s.events).padStart(5)} event${s.events === 1 ? ' ' : 's'}  last ${last}${extra}  ${num(s.points).padStart(6)} points  ${chalk.dim(`[${printable(s.labels.join(', '))}]`)}${used}`);
  }
  out.push(`  score ${num(r.score)}${r.half_life ? ` (points halve every ${r.half_life})` : ' (no decay)'}`);
  out.push('');
  out.push(chalk.bold(`fit ${x.fit.total}`));
  for (const f of x.fit.rules) tree(f.explained, `  ${f.explained.held ? '+' : ' '}${String(f.points).padStart(3)} `, chalk, out);
  if (x.persona) {
    out.push(chalk.bold(`persona: ${v.persona ? 'yes' : 'no'}`));
    tree(x.persona, '  ', chalk, out);
  } else out.push(chalk.bold('persona: yes') + chalk.dim(' (no persona rule: every contact fits)'));
  if (x.consent) {
    out.push(chalk.bold(`consent: ${v.consent ? 'yes' : 'no'}`));
    tree(x.consent, '  ', chalk, out);
  } else out.push(chalk.bold('consent: yes') + chalk.dim(' (no consent rule: every contact is contactable)'));
  out.push('');
  if (x.disqualify.length) {
    out.push(chalk.bold('disqualify (first that holds wins)'));
    for (const d of x.disqualify) {
      out.push(`  ${d.id}`);
      tree(d.explained, '    ', chalk, out);
    }
    out.push('');
  }
  out.push(chalk.bold('stages (most mature that holds wins)'));
  for (const s of x.stages) {
    const name = s.label !== s.id ? `${s.id} (${s.label})` : s.id;
    if (!s.explained) {
      out.push(`  ${mark(true, chalk)} ${name}  ${chalk.dim('— first stage, always holds')}`);
      continue;
    }
    out.push(`  ${mark(s.explained.held, chalk)} ${name}`);
    tree(s.explained, '      ', chalk, out);
  }
  out.push('');
  const stage = v.stage === 'disqualified' ? chalk.red(v.stage) : chalk.cyan(v.stage);
  out.push(`${chalk.bold('→')} ${stage}  score ${num(v.score)} · fit ${v.fit} · persona ${v.persona ? 'yes' : 'no'} · contactable ${v.consent ? 'yes' : 'no'}`);
  out.push(`  reason: ${printable(v.reason)}`);
  out.push(`  content: ${printable(v.content || '—')} · action: ${printable(v.action || '—')}`);
  if (v.warnings.length) out.push(chalk.yellow(`  warnings: ${printable(v.warnings.join('; '))}`));
  const d = r.stage_dates;
  out.push('');
  out.push(chalk.bold('stage dates (the activities replayed)'));
  if (d.how === 'as-of') out.push(chalk.dim('  no creation date and no dated event: enters at the as-of, dates unknown'));
  else if (d.how === 'later') out.push(chalk.dim('  its first trace is after the as-of: not in the funnel yet, dates unknown'));
  else out.push(`  entered ${d.entry} (${d.how === 'created' ? 'its creation date' : 'its first dated event'})`);
  for (const s of d.stages) out.push(`  ${s.id.padEnd(16)} ${s.became ?? chalk.dim('—')}${s.by ? `  ${chalk.dim('by')} ${s.by}` : ''}`);
  out.push(`  peak ${d.peak ?? '—'} · at its stage since ${d.stage_since}${d.sla ? ` · sla ${d.sla === 'overdue' ? chalk.yellow('overdue') : 'ok'}` : ''}`);
  return `${out.join('\n')}\n`;
}
