import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // vitest's default on 2 cores is one worker; many tests wait on subprocesses and their threads, so more keep
    // both cores busy (npm test: ~90 s on one, ~60 s on three, 54–60 s on four on this machine).
    maxWorkers: 4,
  },
});
