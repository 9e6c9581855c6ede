import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, tempDir } from './helpers.js';

/**
 * The packages a real process loads (ES modules through a loader hook, CommonJS from require's cache at exit),
 * one name a line in `out`.
 */
function packageRecorder(dir: string, out: string): string {
  writeFileSync(join(dir, 'hook.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  if (url.includes('/node_modules/')) appendFileSync(${JSON.stringify(out)}, url + '\\n');\n  return next(url, context);\n}\n`);
  const preload = join(dir, 'preload.mjs');
  writeFileSync(
    preload,
    `import { register, createRequire } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\nconst require = createRequire(import.meta.url);\nprocess.on('exit', () => appendFileSync(${JSON.stringify(out)}, Object.keys(require.cache).join('\\n') + '\\n'));\n`,
  );
  return preload;
}

const packagesIn = (file: string): string[] => [...new Set([...readFileSync(file, 'utf8').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]!))].sort();

describe('start-up', () => {
  it('a CSV classify off a terminal loads only the packages it uses: no colour, table, legacy decoder or csv-parse', async () => {
    const dir = tempDir();
    const out = join(dir, 'packages.txt');
    writeFileSync(out, '');
    const g = join(ROOT, 'fixtures', 'golden');
    const args = ['--quiet', 'classify', join(g, 'contacts.csv'), '-a', join(g, 'activities.csv'), '-r', join(ROOT, 'rules.example.yaml'), '--as-of', '2026-11-15T12:00:00Z', '--out-dir', join(dir, 'o'), '--summary', 'none'];
    const res = await runCli(args, { env: { NODE_OPTIONS: `--import ${packageRecorder(dir, out)}` } });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    // rules.example.yaml has `matches`: regjsparser is read for it.
    expect(packagesIn(out)).toEqual(['commander', 'regjsparser', 'yaml']);
  });
});
