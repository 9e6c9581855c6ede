/** The score's decay of an event, as the fold computes it once per event. */

/** The decay cache: 2^DECAY_BITS places; looked at this many times before it decides whether it pays. */
const DECAY_BITS = 12;
const DECAY_TRIAL = 1 << 16;

/**
 * `0.5 ^ ((asOf − t) / halfLife)` of an event's time, remembered per time in a direct-mapped cache: a power costs
 * ~60 ns, and exports dated by the day (or the minute) give the same times again and again. The same number as
 * the power itself, whatever is cached. After a trial, a file whose times seldom repeat (a quarter of the
 * lookups or fewer) goes without the cache, which would only cost it.
 */
export function decayCache(asOf: number, halfLifeMs: number | undefined): (t: number) => number {
  const times = new Float64Array(1 << DECAY_BITS).fill(NaN);
  const factors = new Float64Array(1 << DECAY_BITS);
  let lookups = 0;
  let hits = 0;
  let cached = true;
  return (t) => {
    if (!cached) return Math.pow(0.5, (asOf - t) / halfLifeMs!);
    if (++lookups === DECAY_TRIAL) cached = hits * 4 > lookups;
    const i = Math.imul((t / 1000) >>> 0, 0x9e3779b1) >>> (32 - DECAY_BITS);
    if (times[i] === t) {
      hits++;
      return factors[i]!;
    }
    const f = Math.pow(0.5, (asOf - t) / halfLifeMs!);
    times[i] = t;
    factors[i] = f;
    return f;
  };
}
