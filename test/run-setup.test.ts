/** A run set up once (src/commands/run-setup.ts): the rules found and loaded alike for every command. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
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
