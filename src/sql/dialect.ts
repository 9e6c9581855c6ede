/**
 * What differs between the SQL engines funnel compiles to: quoting, regular expressions, casts, time zones.
 * Everything else in the compiler is plain SQL that the three accept alike.
 */
import { regexProblem } from './user-regex.js';

export type DialectName = 'duckdb' | 'postgres' | 'bigquery';

export interface Dialect {
  name: DialectName;
  ident(name: string): string;
  str(value: string): string;
  /** Whole-string match of a regular expression (RE2 syntax as written by funnel), optionally ignoring case. */
  fullMatch(expr: string, pattern: string): string;
  /** Partial match, for `matches:` (the user's pattern, JavaScript flavoured). */
  search(expr: string, pattern: string, ignoreCase: boolean): string;
  /** The text of capture group `group` (1-based) of a pattern, or NULL/'' when it did not take part. */
  extract(expr: string, pattern: string, group: number): string;
  replaceAll(expr: string, pattern: string, replacement: string): string;
  toDouble(expr: string): string;
  pow(base: string, exp: string): string;
  /** Rounded to one decimal. */
  round1(expr: string): string;
  endsWith(expr: string, suffix: string): string;
  stripAccents(expr: string): string;
  trimChars(expr: string, chars: string): string;
  /** Epoch milliseconds of a wall-clock time in a zone (parts are integer expressions, already checked valid). */
  wallToMs(y: string, mo: string, d: string, h: string, mi: string, s: string, tz: string): string;
  /** Epoch milliseconds of a UTC wall-clock time. */
  utcToMs(y: string, mo: string, d: string, h: string, mi: string, s: string): string;
  countIf(cond: string): string;
  boolOr(cond: string): string;
  /** All contact columns of the row alias `c`, and how to give them back at the end. */
  keepRow: { select: (alias: string) => string; output: (alias: string, internal: readonly string[]) => string };
  /** Compile error for a user regular expression the engine cannot run; undefined when fine. */
  regexProblem(source: string): string | undefined;
  /** A user regular expression in the engine's own syntax. */
  userRegex(source: string): string;
  rowNumber(): string;
}

const quoteDouble = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteSingle = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/** Capture group `group` kept, every other capturing group made non-capturing (BigQuery extracts one group). */
export function onlyGroup(pattern: string, group: number): string {
  let n = 0;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if (c === '(' && pattern[i + 1] !== '?') {
      n++;
      out += n === group ? '(' : '(?:';
      continue;
    }
    out += c;
  }
  return out;
}

const duckdb: Dialect = {
  name: 'duckdb',
  ident: quoteDouble,
  str: quoteSingle,
  fullMatch: (e, p) => `regexp_full_match(${e}, ${quoteSingle(p)})`,
  search: (e, p, i) => `regexp_matches(${e}, ${quoteSingle(p)}${i ? ", 'i'" : ''})`,
  extract: (e, p, g) => `regexp_extract(${e}, ${quoteSingle(p)}, ${g})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${quoteSingle(p)}, ${quoteSingle(r)}, 'g')`,
  toDouble: (e) => `TRY_CAST(${e} AS DOUBLE)`,
  pow: (b, x) => `pow(${b}, ${x})`,
  round1: (e) => `round(${e}, 1)`,
  endsWith: (e, s) => `ends_with(${e}, ${s})`,
  stripAccents: (e) => `strip_accents(${e})`,
  trimChars: (e, c) => `trim(${e}, ${quoteSingle(c)})`,
  wallToMs: (y, mo, d, h, mi, s, tz) => `epoch_ms(timezone(${quoteSingle(tz)}, make_timestamp(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s})))`,
  utcToMs: (y, mo, d, h, mi, s) => `epoch_ms(make_timestamp(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}))`,
  countIf: (c) => `count(*) FILTER (WHERE ${c})`,
  boolOr: (c) => `bool_or(${c})`,
  keepRow: { select: (a) => `${a}.*`, output: (a, internal) => `${a}.* EXCLUDE (${internal.join(', ')})` },
  regexProblem: (s) => regexProblem(s, 're2'),
  userRegex: (s) => s,
  rowNumber: () => 'row_number() OVER ()',
};

const postgres: Dialect = {
  name: 'postgres',
  ident: quoteDouble,
  str: quoteSingle,
  fullMatch: (e, p) => `(${e} ~ ${quoteSingle(`^(?:${p})$`)})`,
  search: (e, p, i) => `(${e} ${i ? '~*' : '~'} ${quoteSingle(p)})`,
  extract: (e, p, g) => `(regexp_match(${e}, ${quoteSingle(p)}))[${g}]`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${quoteSingle(p)}, ${quoteSingle(r)}, 'g')`,
  toDouble: (e) => `(CASE WHEN ${e} ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$' THEN CAST(${e} AS double precision) END)`,
  pow: (b, x) => `power(${b}, ${x})`,
  round1: (e) => `round(CAST(${e} AS numeric), 1)`,
  endsWith: (e, s) => `(right(${e}, length(${s})) = ${s})`,
  // Without the unaccent extension: the accented letters of Latin scripts, mapped by hand.
  stripAccents: (e) => `translate(${e}, 'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿŠšŽžČčĆćĐđŁłŃńŚśŹźŻżĘęĄąŘřŤťŮůŇňĚěĽľĹĺŔŕŐőŰűĞğŞşİı', 'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyySsZzCcCcDdLlNnSsZzZzEeAaRrTtUuNnEeLlLlRrOoUuGgSsIi')`,
  trimChars: (e, c) => `btrim(${e}, ${quoteSingle(c)})`,
  wallToMs: (y, mo, d, h, mi, s, tz) => `(extract(epoch FROM make_timestamptz(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}, ${quoteSingle(tz)})) * 1000)`,
  utcToMs: (y, mo, d, h, mi, s) => `(extract(epoch FROM make_timestamptz(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}, 'UTC')) * 1000)`,
  countIf: (c) => `count(*) FILTER (WHERE ${c})`,
  boolOr: (c) => `bool_or(${c})`,
  // A whole-row reference carries the contact's columns through the CTEs; (c).* expands it at the end.
  keepRow: { select: (a) => `${a}.*, ${a} AS __row_value`, output: (a) => `(${a}.__row_value).*` },
  regexProblem: (s) => regexProblem(s, 'postgres'),
  // PostgreSQL's word boundary is \y; \b is a backspace there.
  userRegex: (s) => s.replace(/\\b/g, '\\y'),
  rowNumber: () => 'row_number() OVER ()',
};

const bigquery: Dialect = {
  name: 'bigquery',
  ident: (n) => `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  str: (v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`,
  fullMatch: (e, p) => `REGEXP_CONTAINS(${e}, ${bigquery.str(`^(?:${p})$`)})`,
  search: (e, p, i) => `REGEXP_CONTAINS(${e}, ${bigquery.str(i ? `(?i)${p}` : p)})`,
  extract: (e, p, g) => `REGEXP_EXTRACT(${e}, ${bigquery.str(onlyGroup(p, g))})`,
  replaceAll: (e, p, r) => `REGEXP_REPLACE(${e}, ${bigquery.str(p)}, ${bigquery.str(r)})`,
  toDouble: (e) => `SAFE_CAST(${e} AS FLOAT64)`,
  pow: (b, x) => `POW(${b}, ${x})`,
  round1: (e) => `ROUND(${e}, 1)`,
  endsWith: (e, s) => `ENDS_WITH(${e}, ${s})`,
  stripAccents: (e) => `REGEXP_REPLACE(NORMALIZE(${e}, NFD), r'\\pM', '')`,
  trimChars: (e, c) => `TRIM(${e}, ${bigquery.str(c)})`,
  wallToMs: (y, mo, d, h, mi, s, tz) => `UNIX_MILLIS(TIMESTAMP(DATETIME(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}), ${bigquery.str(tz)}))`,
  utcToMs: (y, mo, d, h, mi, s) => `UNIX_MILLIS(TIMESTAMP(DATETIME(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}), 'UTC'))`,
  countIf: (c) => `COUNTIF(${c})`,
  boolOr: (c) => `LOGICAL_OR(${c})`,
  keepRow: { select: (a) => `${a}.*`, output: (a, internal) => `${a}.* EXCEPT (${internal.join(', ')})` },
  regexProblem: (s) => regexProblem(s, 're2'),
  userRegex: (s) => s,
  rowNumber: () => 'ROW_NUMBER() OVER ()',
};

export const DIALECTS: Record<DialectName, Dialect> = { duckdb, postgres, bigquery };
