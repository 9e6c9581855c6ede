import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';
import { runMain } from './terminal.js';

const has = (shell: string): boolean => ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, shell)));

async function script(shell: string): Promise<string> {
  const r = await runMain(['completion', shell], { cwd: tempDir() });
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('funnel completion', () => {
  it('bash: completes commands, each command its options, and choices where an option has them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.bash'), await script('bash'));
    const harness = `source c.bash
try() { COMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _funnel; echo "\${COMPREPLY[*]}"; }
try funnel cl
try funnel classify --su
try funnel classify --format ''
try funnel summary --format ''
try funnel --quiet report --t
try funnel completion ''
`;
    const out = execFileSync('bash', ['-c', harness], { cwd: dir, encoding: 'utf8' }).split('\n');
    expect(out.slice(0, 5)).toEqual(['classify', '--summary --summary-file', 'csv json ndjson', 'table json', '--title']);
  });

  it('zsh and fish name every command and option', async () => {
    const help = (await runMain(['classify', '--help'], { cwd: tempDir() })).stdout;
    const options = [...help.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]!);
    const zsh = await script('zsh');
    const fish = await script('fish');
    expect(zsh.startsWith('#compdef funnel\n')).toBe(true);
    for (const cmd of ['classify', 'validate', 'report', 'completion']) {
      expect(zsh).toContain(`'${cmd}:`);
      expect(fish).toContain(`-a ${cmd} -d`);
    }
    for (const o of options) {
      expect(zsh).toContain(`'--${o}[`);
      expect(fish).toContain(`__fish_seen_subcommand_from classify' `);
      expect(fish).toMatch(new RegExp(`from classify'.* -l ${o} `));
    }
    expect(zsh).toMatch(/ '--format\[output format[^\]]*\]:value:\(csv json ndjson\)' /);
    expect(fish).toMatch(/from classify' -l format -x -a 'csv json ndjson'/);
    if (has('zsh')) execFileSync('zsh', ['-n'], { input: zsh });
    if (has('fish')) execFileSync('fish', ['-n'], { input: fish });
  });

  it('any other shell is a usage error', async () => {
    const r = await runMain(['completion', 'tcsh'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("funnel: error: no completion for the shell 'tcsh' — give bash, zsh or fish; see 'funnel completion --help'\n");
  });
});
