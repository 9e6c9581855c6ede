/** Durations of the rules language: `h`, `d`, `w`, `mo` (30 days), `y` (365 days). */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const UNITS: Record<string, number> = { h: HOUR, d: DAY, w: 7 * DAY, mo: 30 * DAY, y: 365 * DAY };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(h|d|w|mo|y)\s*$/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
}

export const DURATION_HINT = 'write a number and a unit: 12h, 30d, 2w, 6mo, 1y';
