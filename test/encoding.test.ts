/** One stray byte never turns a UTF-8 file into windows-1252; the fallback, when it happens, is in the summary. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeFiles } from './helpers.js';
import { runMain } from './terminal.js';

const RULES = 'contacts: { key: Email }\nstages: [ { id: s } ]\n';

describe('encodings', () => {
  it('valid multi-byte UTF-8 beside an invalid byte is exit 3 naming its line, wherever it is', async () => {
    const dir = tempDir();
    const lines = ['Email,Name', ...Array.from({ length: 1000 }, (_, i) => `u${i}@x.com,Zoë`)];
    const utf8 = Buffer.from(lines.join('\n') + '\n');
    // Line 501 gets a Latin-1 ë (0xEB) instead of UTF-8's C3 AB.
    const at = utf8.indexOf('u499@x.com,Zo') + 'u499@x.com,Zo'.length;
    const mixed = Buffer.concat([utf8.subarray(0, at), Buffer.from([0xeb]), utf8.subarray(at + 2)]);
    // The stray byte first, the UTF-8 after it.
    const first = Buffer.concat([Buffer.from('Email,Name\na@x.com,Zo'), Buffer.from([0xeb]), Buffer.from('\nb@x.com,Zoë\n')]);
    writeFiles(dir, { 'mixed.csv': mixed, 'first.csv': first, 'r.yaml': RULES });
    const res = await runMain(['classify', join(dir, 'mixed.csv'), '-r', join(dir, 'r.yaml'), '-o', '-']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/mixed\.csv:501: invalid UTF-8 on line 501, in a file that holds valid UTF-8 elsewhere — fix that byte, or pass --encoding/);
    expect(res.stdout).toBe('');
    const res2 = await runMain(['classify', join(dir, 'first.csv'), '-r', join(dir, 'r.yaml'), '-o', '-']);
    expect(res2.code).toBe(3);
    expect(res2.stderr).toMatch(/first\.csv:2: invalid UTF-8 on line 2/);
  });

  it('a file with no UTF-8 character is read as windows-1252, and the summary JSON says so under --quiet', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'w.csv': Buffer.from('Email,Name\na@x.com,Zo\xeb\n', 'latin1'), 'r.yaml': RULES });
    const res = await runMain(['--quiet', 'classify', join(dir, 'w.csv'), '-r', join(dir, 'r.yaml'), '-o', join(dir, 'o.csv'), '--summary-file', join(dir, 's.json')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(readFileSync(join(dir, 'o.csv'), 'utf8')).toContain('a@x.com,Zoë,');
    const s = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')) as { warnings: string[] };
    expect(s.warnings).toContain(`${join(dir, 'w.csv')}: not valid UTF-8 and no UTF-8 character in it, read as windows-1252 — pass --encoding to choose another`);
  });
});
