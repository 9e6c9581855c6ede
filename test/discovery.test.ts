import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';
import { runMain } from './terminal.js';
import { discoverRules } from '../src/commands/rules-source.js';

const minimal = readFileSync(join(ROOT, 'fixtures', 'golden', 'minimal.yaml'), 'utf8');

function tree(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'repo', 'team', 'exports'), { recursive: true });
  writeFileSync(join(dir, 'repo', '.git'), 'gitdir: elsewhere\n');
  writeFileSync(join(dir, 'c.csv'), 'Email\na@x.com\n');
  return dir;
}

describe('rules discovery: -r, $FUNNEL_RULES, ./funnel.yaml or ./rules.yaml, parent folders, built-in', () => {
  it('looks in the folder, then its parents up to the repository root', () => {
    const dir = tree();
    const here = join(dir, 'repo', 'team', 'exports');
    const env = { HOME: dir };
    expect(discoverRules(here, env)).toBeUndefined();
    writeFileSync(join(dir, 'funnel.yaml'), minimal); // above the repository root: not seen
    expect(discoverRules(here, env)).toBeUndefined();
    writeFileSync(join(dir, 'repo', 'rules.yaml'), minimal);
    expect(discoverRules(here, env)).toBe('../../rules.yaml');
    writeFileSync(join(dir, 'repo', 'team', 'funnel.yaml'), minimal);
    expect(discoverRules(here, env)).toBe('../funnel.yaml');
    writeFileSync(join(here, 'rules.yaml'), minimal);
    expect(discoverRules(here, env)).toBe('./rules.yaml');
    writeFileSync(join(here, 'funnel.yaml'), minimal);
    expect(discoverRules(here, env)).toBe('./funnel.yaml');
    expect(discoverRules(here, { ...env, FUNNEL_RULES: '/etc/team-rules.yaml' })).toBe('/etc/team-rules.yaml');
  });

  it('stops at the home folder outside a repository', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'home', 'me', 'work'), { recursive: true });
    writeFileSync(join(dir, 'home', 'funnel.yaml'), minimal);
    expect(discoverRules(join(dir, 'home', 'me', 'work'), { HOME: join(dir, 'home', 'me') })).toBeUndefined();
    writeFileSync(join(dir, 'home', 'me', 'funnel.yaml'), minimal);
    expect(discoverRules(join(dir, 'home', 'me', 'work'), { HOME: join(dir, 'home', 'me') })).toBe('../funnel.yaml');
  });

  it('says on stderr which rules a run used', async () => {
    const dir = tree();
    const here = join(dir, 'repo', 'team', 'exports');
    const run = (env: Record<string, string>, extra: string[] = []): Promise<{ stderr: string; code: number }> => runMain(['classify', join(dir, 'c.csv'), '-o', join(dir, 'out.csv'), '--summary', 'none', ...extra], { cwd: here, env: { HOME: dir, ...env } });
    expect((await run({})).stderr).toContain('funnel: rules: built-in\n');
    writeFileSync(join(dir, 'repo', 'funnel.yaml'), minimal);
    expect((await run({})).stderr).toContain('funnel: rules: ../../funnel.yaml\n');
    writeFileSync(join(dir, 'env.yaml'), minimal);
    expect((await run({ FUNNEL_RULES: join(dir, 'env.yaml') })).stderr).toContain(`funnel: rules: ${join(dir, 'env.yaml')}\n`);
    const explicit = await run({ FUNNEL_RULES: join(dir, 'env.yaml') }, ['-r', join(ROOT, 'rules.example.yaml')]);
    expect(explicit.stderr).toContain(`funnel: rules: ${join(ROOT, 'rules.example.yaml')}\n`);
    const missing = await run({ FUNNEL_RULES: join(dir, 'gone.yaml') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('gone.yaml');
  });

  it('init - prints the example rules and writes nothing', async () => {
    const dir = tempDir();
    const r = await runMain(['init', '-'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'rules.example.yaml'), 'utf8'));
    expect(r.stderr).toBe('');
  });
});
