import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from './helpers.js';
import { runMain } from './terminal.js';

const G = join(ROOT, 'fixtures', 'golden');

describe('the reading options are checked alike in every command that reads exports', () => {
  it.each([
    ['validate', ['validate', '--contacts', join(G, 'contacts.csv')]],
    ['explain', ['explain', join(G, 'contacts.csv'), '-a', join(G, 'activities.csv'), '--contact', 'x@y.z']],
    ['classify', ['classify', join(G, 'contacts.csv'), '-o', '-']],
    ['history', ['history', join(G, 'contacts.csv'), '-a', join(G, 'activities.csv')]],
  ])('%s: a bad --delimiter or --encoding is a usage error (exit 2)', async (cmd, args) => {
    const d = await runMain([...args, '--delimiter', 'xyz']);
    expect(d.code, d.stderr).toBe(2);
    expect(d.stderr).toBe(`funnel: error: invalid --delimiter 'xyz' — give one character, or tab; see 'funnel ${cmd} --help'\n`);
    const e = await runMain([...args, '--encoding', 'klingon']);
    expect(e.code, e.stderr).toBe(2);
    expect(e.stderr).toContain("unknown encoding 'klingon'");
  });
});
