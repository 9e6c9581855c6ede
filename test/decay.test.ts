import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decayCache } from '../src/aggregate/decay.js';

describe('decayCache', () => {
  const asOf = Date.UTC(2026, 10, 15, 12);
  const halfLife = 30 * 86_400_000;

  it('gives the power itself, times repeated or not, before and after its trial', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.integer({ min: 0, max: 400 * 86_400 }), { minLength: 1, maxLength: 50 }), (byDay, seeds) => {
        const decay = decayCache(asOf, halfLife);
        let wrong = 0;
        // Past the trial (65 536 lookups): by the day the times repeat (the cache stays), by the second they do not.
        for (let i = 0; i < 70_000; i++) {
          const s = seeds[i % seeds.length]! + (byDay ? 0 : i);
          const t = asOf - (byDay ? (s % 400) * 86_400_000 : s * 1000 + (i % 1000));
          if (!Object.is(decay(t), Math.pow(0.5, (asOf - t) / halfLife))) wrong++;
        }
        expect(wrong).toBe(0);
      }),
      { numRuns: 6 },
    );
  });
});
