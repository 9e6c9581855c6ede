import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decayCache, decayFactor } from '../src/aggregate/decay.js';

describe('decayCache', () => {
  const asOf = Date.UTC(2026, 10, 15, 12);
  const halfLife = 30 * 86_400_000;

  it('gives decayFactor itself, times repeated or not, before and after its trial', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.integer({ min: 0, max: 400 * 86_400 }), { minLength: 1, maxLength: 50 }), (byDay, seeds) => {
        const decay = decayCache(asOf, halfLife);
        let wrong = 0;
        // Past the trial (65 536 lookups): by the day the times repeat (the cache stays), by the second they do not.
        for (let i = 0; i < 70_000; i++) {
          const s = seeds[i % seeds.length]! + (byDay ? 0 : i);
          const t = asOf - (byDay ? (s % 400) * 86_400_000 : s * 1000 + (i % 1000));
          if (!Object.is(decay(t), decayFactor(asOf - t, halfLife))) wrong++;
        }
        expect(wrong).toBe(0);
      }),
      { numRuns: 6 },
    );
  });

  it('decayFactor is 0.5 ^ (age / halfLife) within a few units in the last place, halving exactly at each half-life', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 1200, noNaN: true }), (lives) => {
        const age = lives * halfLife;
        const exact = Math.pow(0.5, age / halfLife);
        // Relative to the result, or to the smallest normal double where the result is subnormal or zero.
        expect(Math.abs(decayFactor(age, halfLife) - exact)).toBeLessThanOrEqual(Math.max(exact, 2.2250738585072014e-308) * 8 * Number.EPSILON);
      }),
      { numRuns: 5000 },
    );
    expect(decayFactor(0, halfLife)).toBe(1);
    expect(decayFactor(halfLife, halfLife)).toBe(0.5);
    expect(decayFactor(3 * halfLife, halfLife)).toBe(0.125);
    expect(decayFactor(-halfLife, halfLife)).toBe(2);
    expect(decayFactor(2000 * halfLife, halfLife)).toBe(0);
  });
});
