/**
 * SQL expressions that read text the way funnel's input layer does: numbers like parseNumber, dates like
 * parseDate, keys like normalizeKey, labels like snakeCase. Each mirrors its TypeScript twin in src/values/ and src/util/text.ts.
 */
import { DOMAIN_MAILBOX, DOMAIN_REST, DOMAIN_SCHEME, DOMAIN_WWW } from '../values/domains.js';
import type { Dialect } from './dialect.js';

/**
 * The characters JavaScript's `trim()` and `\s` remove — tab, LF, VT, FF, CR, space, no-break spaces, the
 * Unicode spaces, line and paragraph separators, BOM — where SQL's `trim` removes only the space.
 */
export const JS_SPACE = '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

/**
 * `trim()` as the CLI does it. Trimming a set of characters is slow in the engines (DuckDB: ten times a plain
 * trim), so a value whose first and last characters are visible ASCII — nearly all — is taken as it is.
 */
export function trim(d: Dialect, e: string): string {
  return `(CASE WHEN ascii(${e}) BETWEEN 33 AND 126 AND ascii(right(${e}, 1)) BETWEEN 33 AND 126 THEN ${e} ELSE ${d.trimChars(e, JS_SPACE)} END)`;
}

/** A value of any type as text: columns are read as the CLI reads a CSV field. */
export function asText(d: Dialect, e: string): string {
  return `CAST(${e} AS ${d.textType})`;
}

/** `trim + lowercase`, the fold of every text comparison. */
export function fold(d: Dialect, e: string): string {
  return `lower(${trim(d, e)})`;
}

/** A part of a regular-expression match, NULL when it did not take part (engines differ: '' or NULL). */
function part(d: Dialect, e: string, pattern: string, g: number): string {
  return `NULLIF(${d.extract(e, pattern, g)}, '')`;
}

const PLAIN = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const THOUSANDS_COMMA = '[+-]?[0-9]{1,3}(,[0-9]{3})+([.][0-9]+)?';
const THOUSANDS_DOT = '[+-]?[0-9]{1,3}([.][0-9]{3})+(,[0-9]+)?';
const DECIMAL_COMMA = '[+-]?[0-9]+,[0-9]+';

/** parseNumber: spaces and currency signs dropped; `1,200`, `1.200,50`, `1,5`; NULL when not a number. */
export function number(d: Dialect, e: string): string {
  const s = d.replaceAll(d.replaceAll(e, `[${JS_SPACE}'’]`, ''), '^[$€£¥]|[$€£¥%]$', '');
  return `(CASE
      WHEN ${d.fullMatch(s, PLAIN)} THEN ${d.toDouble(s)}
      WHEN ${d.fullMatch(s, THOUSANDS_COMMA)} THEN ${d.toDouble(`replace(${s}, ',', '')`)}
      WHEN ${d.fullMatch(s, THOUSANDS_DOT)} THEN ${d.toDouble(`replace(replace(${s}, '.', ''), ',', '.')`)}
      WHEN ${d.fullMatch(s, DECIMAL_COMMA)} THEN ${d.toDouble(`replace(${s}, ',', '.')`)}
    END)`;
}

// DuckDB extracts groups 1–9 only: structural groups are non-capturing.
const ISO = '([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?[[:space:]]*(Z|z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?)?';
// Groups:            1 year       2 month         3 day                  4 hour       5 minute       6 second           7 fraction                    8 zone
const SLASH = '([0-9]{1,2})([/.-])([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})(?:[ T,]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?[[:space:]]*([AaPp][Mm])?[[:space:]]*(Z|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?)?)?';
// Groups:   1 first      2 sep   3 second          4 year                       5 hour       6 minute       7 second          8 am/pm              9 zone
/** The second separator, which must equal the first (05/03-2026 is no date). */
const SEP2 = '^[0-9]{1,2}[/.-][0-9]{1,2}([/.-])';
const EPOCH = '[0-9]{9,14}([.][0-9]+)?';
/** `YYYYMMDD`, as the CLI reads it (values/dates.ts COMPACT): eight digits are a day, nine and more an epoch. */
const COMPACT = '[0-9]{8}';

function int(e: string): string {
  return `CAST(${e} AS INTEGER)`;
}

/** The month has that day (the date exists). */
function validDate(y: string, mo: string, dd: string): string {
  const leap = `((${y}) % 4 = 0 AND ((${y}) % 100 <> 0 OR (${y}) % 400 = 0))`;
  return `(${mo} BETWEEN 1 AND 12 AND ${dd} >= 1 AND ${dd} <= CASE WHEN ${mo} IN (4, 6, 9, 11) THEN 30 WHEN ${mo} = 2 THEN (CASE WHEN ${leap} THEN 29 ELSE 28 END) ELSE 31 END)`;
}

function zoneOffsetMs(d: Dialect, z: string): string {
  // Z/UTC/GMT → 0; ±HH[:MM] → minutes.
  const sign = `(CASE WHEN substr(${z}, 1, 1) = '-' THEN -1 ELSE 1 END)`;
  const hh = int(`substr(${z}, 2, 2)`);
  const mm = `COALESCE(${int(`NULLIF(substr(replace(${z}, ':', ''), 4, 2), '')`)}, 0)`;
  return `(CASE WHEN upper(${z}) IN ('Z', 'UTC', 'GMT') THEN 0 ELSE ${sign} * (${hh} * 60 + ${mm}) * 60000 END)`;
}

function toMs(d: Dialect, y: string, mo: string, dd: string, h: string, mi: string, s: string, zone: string, tz: string): string {
  const utc = d.utcToMs(y, mo, dd, h, mi, s);
  return `(CASE WHEN ${zone} IS NOT NULL THEN ${utc} - ${zoneOffsetMs(d, zone)} ELSE ${wallMs(d, y, mo, dd, h, mi, s, tz)} END)`;
}

/** A time written without an offset: a wall time in the rules' timezone. */
function wallMs(d: Dialect, y: string, mo: string, dd: string, h: string, mi: string, s: string, tz: string): string {
  return tz === 'UTC' ? d.utcToMs(y, mo, dd, h, mi, s) : d.wallToMs(y, mo, dd, h, mi, s, tz);
}

/** The pieces of a date text that parseDate reads: inline regular-expression calls, or columns of a CTE. */
export interface DateParts {
  /** `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS][Z]`: read by position, without regular-expression captures. */
  isSimple: string;
  isIso: string;
  isSlash: string;
  isEpoch: string;
  s: string;
  iso(group: number): string;
  slash(group: number): string;
  sep2: string;
}

const SIMPLE = '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?)?';
const ISO_GROUPS = 8;
const SLASH_GROUPS = 9;

/** Date parts as regular-expression calls on a text expression (for contact fields, used once each). */
export function inlineParts(d: Dialect, raw: string): DateParts {
  const s = trim(d, raw);
  return {
    s,
    isSimple: d.fullMatch(s, SIMPLE),
    isIso: d.fullMatch(s, ISO),
    isSlash: d.fullMatch(s, SLASH),
    isEpoch: d.fullMatch(s, EPOCH),
    iso: (g) => part(d, s, ISO, g),
    slash: (g) => part(d, s, SLASH, g),
    sep2: part(d, s, SEP2, 1),
  };
}

/**
 * The select list that computes the parts once, as columns `<p>_iso1`…, for a CTE (activities). The captures
 * are taken only for texts that are not simple ISO dates — most exports' — since they cost the most.
 */
export function partsColumns(d: Dialect, s: string, p: string): string[] {
  const simple = d.fullMatch(s, SIMPLE);
  const unlessSimple = (e: string): string => `CASE WHEN NOT ${simple} THEN ${e} END`;
  const cols = [`${simple} AS ${p}_is_simple`, `${unlessSimple(d.fullMatch(s, ISO))} AS ${p}_is_iso`, `${unlessSimple(d.fullMatch(s, SLASH))} AS ${p}_is_slash`, `${unlessSimple(d.fullMatch(s, EPOCH))} AS ${p}_is_epoch`];
  for (let g = 1; g <= ISO_GROUPS; g++) cols.push(`${unlessSimple(part(d, s, ISO, g))} AS ${p}_iso${g}`);
  for (let g = 1; g <= SLASH_GROUPS; g++) cols.push(`${unlessSimple(part(d, s, SLASH, g))} AS ${p}_slash${g}`);
  cols.push(`${unlessSimple(part(d, s, SEP2, 1))} AS ${p}_sep2`);
  return cols;
}

/** Date parts as the columns made by partsColumns. */
export function columnParts(s: string, p: string): DateParts {
  return { s, isSimple: `${p}_is_simple`, isIso: `${p}_is_iso`, isSlash: `${p}_is_slash`, isEpoch: `${p}_is_epoch`, iso: (g) => `${p}_iso${g}`, slash: (g) => `${p}_slash${g}`, sep2: `${p}_sep2` };
}

/**
 * parseDate: epoch milliseconds of a date text, NULL when it cannot be read. `order` is an SQL expression
 * giving 'dmy' or 'mdy' (or NULL: ambiguous slash dates are then unreadable).
 */
export function date(d: Dialect, x: DateParts, tz: string, order: string): string {
  // ISO
  const iy = int(x.iso(1));
  const imo = int(x.iso(2));
  const idd = int(x.iso(3));
  const ih = `COALESCE(${int(x.iso(4))}, 0)`;
  const imi = `COALESCE(${int(x.iso(5))}, 0)`;
  const isec = `COALESCE(${int(x.iso(6))}, 0)`;
  const ifrac = `COALESCE(round(${d.toDouble(`'0.' || ${x.iso(7)}`)} * 1000), 0)`;
  const iso = `CASE WHEN ${validDate(iy, imo, idd)} AND ${ih} <= 23 AND ${imi} <= 59 AND ${isec} <= 60
          THEN ${toMs(d, iy, imo, idd, ih, imi, isec, x.iso(8), tz)} + ${ifrac} END`;
  // Slash, dot and dash dates
  const a = int(x.slash(1));
  const b = int(x.slash(3));
  const sep = x.slash(2);
  const yy = `(CASE WHEN length(${x.slash(4)}) = 2 THEN ${int(x.slash(4))} + (CASE WHEN ${int(x.slash(4))} < 70 THEN 2000 ELSE 1900 END) ELSE ${int(x.slash(4))} END)`;
  const eff = `(CASE WHEN ${sep} = '.' THEN 'dmy' WHEN ${a} > 12 THEN 'dmy' WHEN ${b} > 12 THEN 'mdy' WHEN ${a} = ${b} THEN 'dmy' ELSE ${order} END)`;
  const sd = `(CASE WHEN ${eff} = 'dmy' THEN ${a} ELSE ${b} END)`;
  const smo = `(CASE WHEN ${eff} = 'dmy' THEN ${b} ELSE ${a} END)`;
  const h0 = `COALESCE(${int(x.slash(5))}, 0)`;
  const ampm = `lower(${x.slash(8)})`;
  const sh = `(CASE WHEN ${ampm} = 'pm' AND ${h0} < 12 THEN ${h0} + 12 WHEN ${ampm} = 'am' AND ${h0} = 12 THEN 0 ELSE ${h0} END)`;
  const smi = `COALESCE(${int(x.slash(6))}, 0)`;
  const ssec = `COALESCE(${int(x.slash(7))}, 0)`;
  const ampmOk = `(${ampm} IS NULL OR ${h0} BETWEEN 1 AND 12)`;
  const slash = `CASE WHEN ${sep} = ${x.sep2} AND ${eff} IS NOT NULL AND ${ampmOk} AND ${validDate(yy, smo, sd)} AND ${sh} <= 23 AND ${smi} <= 59 AND ${ssec} <= 60
          THEN ${toMs(d, yy, smo, sd, sh, smi, ssec, x.slash(9), tz)} END`;
  // Epoch seconds (9–11 digits) or milliseconds (12–14)
  const intDigits = `length(split_part(${x.s}, '.', 1))`;
  const epoch = `CASE WHEN ${intDigits} <= 11 THEN round(${d.toDouble(x.s)} * 1000) ELSE round(${d.toDouble(x.s)}) END`;
  // Simple ISO: the parts by position.
  const at = (from: number, len: number): string => int(`substr(${x.s}, ${from}, ${len})`);
  const hasTime = `length(${x.s}) >= 16`;
  const simple = `CASE WHEN ${validDate(at(1, 4), at(6, 2), at(9, 2))} AND (NOT ${hasTime} OR (${at(12, 2)} <= 23 AND ${at(15, 2)} <= 59 AND (length(${x.s}) < 19 OR ${at(18, 2)} <= 60)))
          THEN ${toMs(d, at(1, 4), at(6, 2), at(9, 2), `(CASE WHEN ${hasTime} THEN ${at(12, 2)} ELSE 0 END)`, `(CASE WHEN ${hasTime} THEN ${at(15, 2)} ELSE 0 END)`, `(CASE WHEN length(${x.s}) >= 19 AND substr(${x.s}, 19, 1) <> 'Z' THEN ${at(18, 2)} ELSE 0 END)`, `(CASE WHEN right(${x.s}, 1) = 'Z' THEN 'Z' END)`, tz)} END`;
  const compact = `CASE WHEN ${validDate(at(1, 4), at(5, 2), at(7, 2))} THEN ${wallMs(d, at(1, 4), at(5, 2), at(7, 2), '0', '0', '0', tz)} END`;
  return `(CASE
        WHEN ${x.isSimple} THEN ${simple}
        WHEN ${x.isIso} THEN ${iso}
        WHEN ${x.isSlash} THEN ${slash}
        WHEN ${x.isEpoch} THEN ${epoch}
        WHEN ${d.fullMatch(x.s, COMPACT)} THEN ${compact}
      END)`;
}

/** slashHint: 'dmy' / 'mdy' when a slash date decides the order, NULL otherwise. */
export function slashOrderHint(x: DateParts): string {
  const a = int(x.slash(1));
  const b = int(x.slash(3));
  return `(CASE WHEN ${x.isSlash} AND ${x.slash(2)} <> '.' AND ${x.slash(2)} = ${x.sep2} THEN (CASE WHEN ${a} > 12 AND ${b} <= 12 THEN 'dmy' WHEN ${b} > 12 AND ${a} <= 12 THEN 'mdy' END) END)`;
}

/** snakeCase of an activity label: accents dropped, camelCase split, runs of other characters to `_`. */
export function snake(d: Dialect, e: string): string {
  const split = d.replaceAll(d.stripAccents(e), '([a-z0-9])([A-Z])', '\\1_\\2');
  return d.trimChars(d.replaceAll(`lower(${split})`, '[^a-z0-9]+', '_'), '_');
}

/** The domain of an email, website or bare domain, as domainOf does (the same patterns, src/values/domains.ts). */
export function domain(d: Dialect, e: string): string {
  const v = fold(d, e);
  const site = d.replaceAll(d.replaceAll(d.replaceAll(v, DOMAIN_SCHEME, ''), DOMAIN_WWW, ''), DOMAIN_REST, '');
  return `(CASE WHEN strpos(${v}, '@') > 0 THEN ${d.replaceAll(v, DOMAIN_MAILBOX, '')} ELSE ${site} END)`;
}
