/**
 * Dates as exports write them: ISO dates and datetimes with or without offset, `YYYY-MM-DD HH:mm[:ss]`,
 * slash/dot dates in day-month or month-day order with optional time and AM/PM, `YYYYMMDD`, and epoch seconds or
 * milliseconds. Times without an offset are read in the rules' timezone.
 */
import { UsageError } from '../errors.js';

export type DateOrder = 'dmy' | 'mdy';

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$/;
const SLASH = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH = /^\d{9,14}(?:\.\d+)?$/;
/** `20261105`: eight digits, a valid date (epoch seconds have nine or more). */
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

const dtfCache = new Map<string, Intl.DateTimeFormat>();

/** Throws a usage error for a timezone the platform does not know. */
export function checkTimezone(tz: string): void {
  if (tz.toUpperCase() === 'UTC') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new UsageError(`unknown timezone '${tz}'`, {}, 'use an IANA name such as Europe/Paris or America/New_York, or UTC');
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    dtfCache.set(tz, f);
  }
  return f;
}

/** Per zone: its offset per hour since 1970 (at most 100 000 hours, then it starts again). */
const offsetCaches = new Map<string, Map<number, number>>();
/** The zone of the last call and its cache: a run reads one zone, and this spares a lookup by name. */
let lastZone = '';
let lastOffsets = new Map<number, number>();

/** The zone's offset from UTC at an instant, in ms; cached per zone and hour since it is on the hot path. */
function zoneOffset(tz: string, utcMs: number): number {
  if (tz !== lastZone) {
    let offsets = offsetCaches.get(tz);
    if (!offsets) offsetCaches.set(tz, (offsets = new Map()));
    lastZone = tz;
    lastOffsets = offsets;
  }
  const hour = Math.floor(utcMs / 3_600_000);
  const cached = lastOffsets.get(hour);
  if (cached !== undefined) return cached;
  const parts = formatter(tz).formatToParts(new Date(utcMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = asUtc - Math.floor(utcMs / 1000) * 1000;
  if (lastOffsets.size > 100_000) lastOffsets.clear();
  lastOffsets.set(hour, offset);
  return offset;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validYmd(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  return d <= MONTH_DAYS[mo - 1]! + (leap ? 1 : 0);
}

/** Wall-clock time in a zone to epoch ms. */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, tz: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (tz === 'UTC' || tz === 'utc') return wall;
  let t = wall - zoneOffset(tz, wall);
  // Once more for instants near a DST change, where the first guess's offset is the other one.
  t = wall - zoneOffset(tz, t);
  return t;
}

function offsetMs(z: string): number {
  if (z === 'Z' || z === 'z' || z === 'UTC' || z === 'GMT') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m) * 60_000;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date of a year 1–9999 (H. Hinnant's days_from_civil). Every
 * quotient is of a number ≥ 0, so `| 0` floors it — in integer arithmetic, where `Math.floor` divided in floats.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  if (m <= 2) y--;
  const era = (y / 400) | 0;
  const yoe = y - era * 400;
  const doy = (((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) | 0) + d - 1;
  return era * 146097 + yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy - 719468;
}

/**
 * `Date.UTC` for a validated date and time, in arithmetic: once per activity row, `Date.UTC` cost four times as
 * much. Years below 100 keep `Date.UTC`'s reading (1900 + year).
 */
export function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (y < 100) return Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + s * 1000 + ms;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, zone: string | undefined, tz: string): number {
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || s > 60) return NaN;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  if (zone) return utcMs(y, mo, d, h, mi, s, ms) - offsetMs(zone);
  if (tz === 'UTC' || tz === 'utc') return utcMs(y, mo, d, h, mi, s, ms);
  return zonedToUtc(y, mo, d, h, mi, s, ms, tz);
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The shapes exports write most — `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS]` with `Z` or nothing — read without a
 * regular expression, since this runs once per activity row. Anything else returns undefined for the full parser.
 */
function isoFast(s: string, tz: string): number | undefined {
  const n = s.length;
  if (n !== 10 && n !== 16 && n !== 17 && n !== 19 && n !== 20) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return undefined;
  if (n === 10) return build(y, mo, d, 0, 0, 0, undefined, undefined, tz);
  const sep = s.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58) return undefined;
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  if (h < 0 || mi < 0) return undefined;
  let sec = 0;
  let end = 16;
  if (n >= 19) {
    if (s.charCodeAt(16) !== 58) return undefined;
    sec = digits(s, 17, 2);
    if (sec < 0) return undefined;
    end = 19;
  }
  if (end === n) return build(y, mo, d, h, mi, sec, undefined, undefined, tz);
  if (end + 1 === n && (s.charCodeAt(end) === 90 || s.charCodeAt(end) === 122)) return build(y, mo, d, h, mi, sec, undefined, 'Z', tz);
  return undefined;
}

/** Two ASCII digits at `b[at]` as a number, -1 when they are not both digits. */
function twoDigits(b: Uint8Array, at: number): number {
  const hi = b[at]! - 48;
  const lo = b[at + 1]! - 48;
  return hi >>> 0 > 9 || lo >>> 0 > 9 ? -1 : hi * 10 + lo;
}

/**
 * `isoFast` over a field's UTF-8 bytes `b[s, e)`, so that the fold makes no string for the date of a row: the
 * same shapes, the same results (every byte it accepts is ASCII, so bytes and characters agree); undefined for
 * anything else, which the caller reads with `parseDate` from the field's text.
 */
export function isoFastBytes(b: Uint8Array, s: number, e: number, tz: string): number | undefined {
  const n = e - s;
  if (n !== 10 && n !== 16 && n !== 17 && n !== 19 && n !== 20) return undefined;
  if (b[s + 4] !== 45 || b[s + 7] !== 45) return undefined;
  const c = twoDigits(b, s);
  const yy = twoDigits(b, s + 2);
  const mo = twoDigits(b, s + 5);
  const d = twoDigits(b, s + 8);
  if (c < 0 || yy < 0 || mo < 0 || d < 0) return undefined;
  const y = c * 100 + yy;
  if (n === 10) return build(y, mo, d, 0, 0, 0, undefined, undefined, tz);
  const sep = b[s + 10];
  if ((sep !== 84 && sep !== 32) || b[s + 13] !== 58) return undefined;
  const h = twoDigits(b, s + 11);
  const mi = twoDigits(b, s + 14);
  if (h < 0 || mi < 0) return undefined;
  let sec = 0;
  let end = 16;
  if (n >= 19) {
    if (b[s + 16] !== 58) return undefined;
    sec = twoDigits(b, s + 17);
    if (sec < 0) return undefined;
    end = 19;
  }
  if (end === n) return build(y, mo, d, h, mi, sec, undefined, undefined, tz);
  if (end + 1 === n && (b[s + end] === 90 || b[s + end] === 122)) return build(y, mo, d, h, mi, sec, undefined, 'Z', tz);
  return undefined;
}

/** What a slash date says about the order of its parts. */
export type SlashHint = 'dmy' | 'mdy' | 'either' | 'ambiguous' | 'none';

/**
 * Parses one date. `order` decides slash dates whose first two parts are both ≤ 12 and differ; without
 * it such a date is NaN (callers that detect the order per file look at `slashHint` first).
 */
export function parseDate(text: string, tz: string, order?: DateOrder): number {
  const fast = isoFast(text, tz);
  if (fast !== undefined) return fast;
  const s = text.trim();
  if (s === '') return NaN;
  let m = ISO.exec(s);
  if (m) return build(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7], m[8], tz);
  m = SLASH.exec(s);
  if (m) {
    const a = +m[1]!;
    const b = +m[3]!;
    let y = +m[4]!;
    if (m[4]!.length === 2) y += y < 70 ? 2000 : 1900;
    let h = m[5] ? +m[5] : 0;
    const ampm = m[8]?.toLowerCase();
    if (ampm) {
      if (h < 1 || h > 12) return NaN;
      if (ampm === 'pm' && h < 12) h += 12;
      if (ampm === 'am' && h === 12) h = 0;
    }
    // A dot date (05.03.2026) is day-first wherever it is written.
    const effective: DateOrder | undefined = m[2] === '.' ? 'dmy' : a > 12 ? 'dmy' : b > 12 ? 'mdy' : a === b ? 'dmy' : order;
    if (!effective) return NaN;
    const [d, mo] = effective === 'dmy' ? [a, b] : [b, a];
    return build(y, mo, d, h, m[6] ? +m[6] : 0, m[7] ? +m[7] : 0, undefined, m[9], tz);
  }
  m = COMPACT.exec(s);
  if (m) return build(+m[1]!, +m[2]!, +m[3]!, 0, 0, 0, undefined, undefined, tz);
  if (EPOCH.test(s)) {
    const n = Number(s);
    // 9–11 digits are seconds (1973–5138), 12–14 milliseconds.
    return s.split('.')[0]!.length <= 11 ? Math.round(n * 1000) : Math.round(n);
  }
  return NaN;
}

/** For per-file order detection: which order a slash date needs, or 'none' when it is not a slash date. */
export function slashHint(text: string): SlashHint {
  // ISO dates (the common case, once per activity row) have their first separator at index 4.
  if (text.length > 4 && text.charCodeAt(4) === 45) return 'none';
  const m = SLASH.exec(text.trim());
  if (!m) return 'none';
  if (m[2] === '.') return 'either';
  const a = +m[1]!;
  const b = +m[3]!;
  if (a > 12 && b > 12) return 'none';
  if (a > 12) return 'dmy';
  if (b > 12) return 'mdy';
  return a === b ? 'either' : 'ambiguous';
}

/**
 * `slashHint` of a field's UTF-8 bytes when they tell it without the text: 'none' for a field whose fifth
 * character is the dash of an ISO date (the first four bytes ASCII, so the fifth byte is the fifth character);
 * undefined when only the text can tell.
 */
export function slashHintBytes(b: Uint8Array, s: number, e: number): 'none' | undefined {
  return e - s > 4 && b[s + 4] === 45 && (b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]!) < 0x80 ? 'none' : undefined;
}

/** `--as-of` and rule dates: ISO or any format above, read in the given zone. */
export function parseAsOf(text: string, tz = 'UTC'): number {
  const t = parseDate(text, tz, 'dmy');
  if (Number.isNaN(t)) throw new UsageError(`cannot read the date '${text}'`, {}, 'write it as YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ');
  return t;
}

/** `2026-10-28` for reasons and evidence. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

const DAY_MS = 86_400_000;
/** The UTC days last formatted, direct-mapped by day number: reasons name a few hundred days a million times. */
const dayNumbers = new Float64Array(1024).fill(NaN);
const dayTexts: string[] = new Array<string>(1024).fill('');

function utcDay(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const at = day & 1023;
  if (dayNumbers[at] === day) return dayTexts[at]!;
  // Formatted by Date, whose errors (an invalid instant) stay what they were.
  const text = new Date(ms).toISOString().slice(0, 10);
  dayNumbers[at] = day;
  dayTexts[at] = text;
  return text;
}

/** `2026-10-28`: the day of an instant in a timezone (the rules' `activities.timezone`; UTC by default). */
export function isoDay(ms: number, timezone = 'UTC'): string {
  if (timezone === 'UTC') return utcDay(ms);
  let f = dayFormats.get(timezone);
  if (!f) dayFormats.set(timezone, (f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(ms);
}

/** `2026-10-28T14:03:00Z`, second precision. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
