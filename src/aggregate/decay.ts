/** The score's decay of an event, as the fold computes it once per event. */

/** 2^-n for whole n from 0 to 1075 (0 beyond the smallest double). */
const HALVINGS = Float64Array.from({ length: 1076 }, (_, n) => Math.pow(2, -n));

/**
 * `0.5 ^ (age / halfLife)`: the whole half-lives exactly, times `e ^ (−ln 2 · f)` of the fraction f left. V8's exp
 * takes ~15 ns where its pow takes ~50, and the two agree within a few units in the last place; a whole number of
 * half-lives halves exactly. A score within such units of a threshold, or of a tenth's rounding, could land on the
 * other side than with pow — none did in the bench's exports (the same output bytes at 100k and 1M). Every decay of
 * the score — the fold, the replay, whatif's other rule sets — goes through here, so they agree with one another.
 */
export function decayFactor(ageMs: number, halfLifeMs: number): number {
  const x = ageMs / halfLifeMs;
  const n = Math.floor(x);
  if (n >= 0 && n < 1076) return HALVINGS[n]! * Math.exp((x - n) * -Math.LN2);
  // Ages below zero (events after the moment, in the replay's steps) or beyond the smallest double.
  return Math.pow(0.5, x);
}

/** The decay cache: 2^DECAY_BITS places; looked at this many times before it decides whether it pays. */
const DECAY_BITS = 12;
const DECAY_TRIAL = 1 << 16;

/**
 * `0.5 ^ ((asOf − t) / halfLife)` of an event's time, remembered per time in a direct-mapped cache: a decay costs
 * ~15 ns, and exports dated by the day (or the minute) give the same times again and again. The same number as
 * `decayFactor` itself, whatever is cached. After a trial, a file whose times seldom repeat (a quarter of the
 * lookups or fewer) goes without the cache, which would only cost it.
 */
export function decayCache(asOf: number, halfLifeMs: number | undefined): (t: number) => number {
  const times = new Float64Array(1 << DECAY_BITS).fill(NaN);
  const factors = new Float64Array(1 << DECAY_BITS);
  let lookups = 0;
  let hits = 0;
  let cached = true;
  return (t) => {
    if (!cached) return decayFactor(asOf - t, halfLifeMs!);
    if (++lookups === DECAY_TRIAL) cached = hits * 4 > lookups;
    const i = Math.imul((t / 1000) >>> 0, 0x9e3779b1) >>> (32 - DECAY_BITS);
    if (times[i] === t) {
      hits++;
      return factors[i]!;
    }
    const f = decayFactor(asOf - t, halfLifeMs!);
    times[i] = t;
    factors[i] = f;
    return f;
  };
}
