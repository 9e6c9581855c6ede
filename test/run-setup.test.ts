/** A run set up once (src/commands/run-setup.ts): the rules found and loaded alike for every command. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';

const GOLDEN = join(ROOT, 'fixtures', 'golden');
import { runMain } from './terminal.js';

function annotatedPair(dir: string): void {
  writeFileSync(join(dir, 'before.csv'), 'Email,funnel_stage\na@x.io,lead\n');
  writeFileSync(join(dir, 'after.csv'), 'Email,funnel_stage\na@x.io,mql\n');
}

describe('a missing rules file', () => {
  it('is exit 2 in diff as in every other command (it was ignored: diff ran without rules)', async () => {
    const dir = tempDir();
    annotatedPair(dir);
    const r = await runMain(['diff', '-r', 'missing.yaml', 'before.csv', 'after.csv'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('funnel: error: missing.yaml:1:1: rules file not found');
    expect(r.stdout).toBe('');
  });

  it.each([
    ['summary', ['after.csv']],
    ['sql', []],
  ])('is exit 2 in %s', async (command, args) => {
    const dir = tempDir();
    annotatedPair(dir);
    const r = await runMain([command, ...args, '-r', 'missing.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.yaml:1:1: rules file not found');
  });
});

describe('relative paths are read from the Terminal\'s folder, not the process\'s', () => {
  // The process runs in the repository; the Terminal's folder holds the only copies of the files.
  function workspace(): string {
    const dir = tempDir();
    for (const f of ['contacts.csv', 'activities.csv']) copyFileSync(join(GOLDEN, f), join(dir, f));
    copyFileSync(join(ROOT, 'rules.example.yaml'), join(dir, 'rules.yaml'));
    return dir;
  }
  const asOf = ['--as-of', '2026-11-15T00:00:00Z'];

  it('classify (contacts, activities on two threads, rules, --previous), then summary and diff', async () => {
    const dir = workspace();
    const first = await runMain(['classify', 'contacts.csv', '-a', 'activities.csv', '-r', 'rules.yaml', ...asOf, '-o', 'first.csv', '--threads', '2', '--min-range-bytes', '64', '--summary', 'json'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).inputs.contacts).toEqual([{ file: 'contacts.csv', rows: 35 }]);
    expect(readFileSync(join(dir, 'first.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(36);
    const again = await runMain(['classify', 'contacts.csv', '-a', 'activities.csv', '-r', 'rules.yaml', ...asOf, '-o', 'again.csv', '--previous', 'first.csv', '--summary', 'none'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    const summary = await runMain(['summary', 'first.csv', '-r', 'rules.yaml', '--format', 'json'], { cwd: dir });
    expect(summary.code, summary.stderr).toBe(0);
    expect(JSON.parse(summary.stdout).total).toBe(35);
    const moved = await runMain(['diff', 'first.csv', 'again.csv', '-r', 'rules.yaml', '--format', 'json'], { cwd: dir });
    expect(moved.code, moved.stderr).toBe(0);
    expect(JSON.parse(moved.stdout).after).toEqual({ file: 'again.csv', rows: 35 });
  });

  it('explain, validate and history', async () => {
    const dir = workspace();
    const explained = await runMain(['explain', 'contacts.csv', '-a', 'activities.csv', '-r', 'rules.yaml', ...asOf, '--contact', 'g01@acme.io', '--format', 'json'], { cwd: dir });
    expect(explained.code, explained.stderr).toBe(0);
    expect(JSON.parse(explained.stdout).rows).toEqual([{ file: 'contacts.csv', line: 2 }]);
    const valid = await runMain(['validate', 'rules.yaml', '--contacts', 'contacts.csv', '--activities', 'activities.csv'], { cwd: dir });
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^rules\.yaml: valid/);
    const history = await runMain(['history', 'contacts.csv', '-a', 'activities.csv', '-r', 'rules.yaml', ...asOf, '--format', 'json', '--threads', '2', '--min-range-bytes', '64'], { cwd: dir });
    expect(history.code, history.stderr).toBe(0);
  });
});
