/** Durations of the rules language: `h`, `d`, `w`, `mo` (30 days), `y` (365 days). */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The units and their length; the JSON Schema's pattern is made from these too. */
export const DURATION_UNITS: Readonly<Record<string, number>> = { h: HOUR, d: DAY, w: 7 * DAY, mo: 30 * DAY, y: 365 * DAY };

/** Any case of a unit, written without a flag: JSON Schema patterns have none. */
const caseless = (unit: string): string => [...unit].map((ch) => `[${ch.toLowerCase()}${ch.toUpperCase()}]`).join('');

/** A duration as text: a number, optional blanks, a unit (any case). The JSON Schema uses this very pattern. */
export const DURATION_PATTERN = `^\\s*(\\d+(?:\\.\\d+)?)\\s*(${Object.keys(DURATION_UNITS).map(caseless).join('|')})\\s*$`;
const DURATION = new RegExp(DURATION_PATTERN);

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]!;
}

export const DURATION_HINT = 'write a number and a unit: 12h, 30d, 2w, 6mo, 1y';
