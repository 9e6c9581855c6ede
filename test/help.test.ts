import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { runMain } from './terminal.js';

async function commands(dir: string): Promise<string[]> {
  const r = await runMain(['--help'], { cwd: dir });
  const block = r.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
  return block
    .split('\n')
    .map((l) => /^ {2}(\w+)/.exec(l)?.[1])
    .filter((c): c is string => !!c && c !== 'help');
}

/** The long options of a command, as its help lists them, and the global ones. */
function optionsOf(help: string): Set<string> {
  return new Set([...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!));
}

describe('help', () => {
  it('every command ends its help with 2–3 examples of itself, using only options it has', async () => {
    const dir = tempDir();
    const all = await commands(dir);
    expect(all).toEqual(expect.arrayContaining(['classify', 'validate', 'explain', 'summary', 'diff', 'sql', 'report', 'init']));
    const globals = optionsOf((await runMain(['--help'], { cwd: dir })).stdout);
    for (const cmd of all) {
      const r = await runMain([cmd, '--help'], { cwd: dir });
      expect(r.code).toBe(0);
      const [body, tail] = r.stdout.split('\nExamples:\n');
      expect(tail, cmd).toBeDefined();
      const examples = tail!.trimEnd().split('\n');
      expect(examples.length, cmd).toBeGreaterThanOrEqual(2);
      expect(examples.length, cmd).toBeLessThanOrEqual(3);
      const known = new Set([...optionsOf(body!), ...globals]);
      for (const ex of examples) {
        expect(ex, cmd).toMatch(/^ {2}\$ /);
        const invocations = ex.split(/&&|\|/).map((part) => part.trim().replace(/^\$ /, '')).filter((part) => part.startsWith('funnel '));
        expect(invocations.length, ex).toBeGreaterThan(0);
        for (const inv of invocations.filter((part) => part.startsWith(`funnel ${cmd}`))) {
          for (const opt of inv.replace(/#.*$/, '').match(/(?<=\s)--[\w-]+/g) ?? []) expect(known.has(opt), `${cmd}: ${opt} in '${ex}'`).toBe(true);
        }
      }
      expect(r.stdout, cmd).toMatch(new RegExp(`^Usage: funnel ${cmd} `));
    }
  });

  it('usage errors end by pointing to the help of their command', async () => {
    const dir = tempDir();
    const unknown = await runMain(['classify', 'c.csv', '--colour'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^funnel: error: unknown option '--colour'.* — see 'funnel classify --help'\n$/);
    const both = await runMain(['classify', 'c.csv', '-o', 'a.csv', '--out-dir', 'b'], { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("funnel: error: -o and --out-dir exclude each other — choose one output; see 'funnel classify --help'\n");
    const missing = await runMain(['report', 's.json'], { cwd: dir });
    expect(missing.stderr).toBe("funnel: error: required option '-o, --output <file>' not specified — see 'funnel report --help'\n");
    const cmd = await runMain(['clasify'], { cwd: dir });
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/^funnel: error: unknown command 'clasify'.*classify.* — see 'funnel --help'\n$/);
  });

  it('synopses show what is required and what is optional', async () => {
    const dir = tempDir();
    expect((await runMain(['classify', '--help'], { cwd: dir })).stdout).toContain('Usage: funnel classify <contacts...> [-a <activities...>] [-r <rules.yaml>]');
    expect((await runMain(['report', '--help'], { cwd: dir })).stdout).toContain('Usage: funnel report <summary-or-history.json...> -o <report.html> [--title <text>]');
  });
});
