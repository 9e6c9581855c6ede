/**
 * The copy of standard input exists as soon as the copying starts (before the next turn of the event loop), so
 * that a signal's handler, which removes the run's temporaries, never runs between the registration of the copy
 * and its creation — an asynchronous open left it behind after SIGTERM now and then.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { OutputRun, libraryEnv } from '../src/output/commit.js';
import { copyStdin } from '../src/output/stdin-copy.js';
import { configureScratch, copyToScratch, removeAllScratchSync } from '../src/util/scratch.js';
import { tempDir } from './helpers.js';

describe('the copy of standard input', () => {
  it("of classify is there at once, and the run's abort removes it", async () => {
    const dir = tempDir();
    const run = new OutputRun(libraryEnv(dir));
    run.file(join(dir, 'out.csv'), '-o');
    await run.open();
    const stdin = new PassThrough();
    const copying = copyStdin(stdin, run);
    expect(readdirSync(dir).filter((f) => f.startsWith('.stdin.'))).toHaveLength(1);
    run.abort();
    expect(readdirSync(dir)).toEqual([]);
    stdin.end('Email\n');
    await copying.catch(() => undefined);
  });

  it('of history and explain is there at once, and the signal handler removes it', async () => {
    const dir = join(tempDir(), 'scratch');
    configureScratch({ dir, pid: process.pid, isAlive: () => true });
    const stdin = new PassThrough();
    const copying = copyToScratch(stdin, 'stdin');
    expect(readdirSync(dir).filter((f) => f.startsWith('.stdin.'))).toHaveLength(1);
    removeAllScratchSync();
    expect(readdirSync(dir)).toEqual([]);
    stdin.end('Email\n');
    await copying.catch(() => undefined);
  });
});
