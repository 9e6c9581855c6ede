/**
 * What differs between the SQL engines funnel compiles to: quoting, regular expressions, casts, time zones.
 * Everything else in the compiler is plain SQL that the three accept alike.
 */
import { regexProblem } from './user-regex.js';

export type DialectName = 'duckdb' | 'postgres' | 'bigquery';

export interface Dialect {
  name: DialectName;
  /** The type text is cast to before it is read as the CLI reads it (every column may hold any type). */
  textType: 'VARCHAR' | 'STRING';
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
/** Control characters and line separators, which a literal never holds as they are (a query stays readable lines). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const unicodeEscape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
/** A DuckDB string (which has no escapes): the control characters as chr(n) joined to the rest. */
const quoteDuckDb = (v: string): string => {
  if (v.search(CONTROL) === -1) return quoteSingle(v);
  const parts: string[] = [];
  let at = 0;
  for (const m of v.matchAll(CONTROL)) {
    if (m.index > at) parts.push(quoteSingle(v.slice(at, m.index)));
    parts.push(`chr(${m[0].charCodeAt(0)})`);
    at = m.index + 1;
  }
  if (at < v.length) parts.push(quoteSingle(v.slice(at)));
  return `(${parts.join(' || ')})`;
};
/**
 * A PostgreSQL escape string: backslashes doubled and quotes doubled mean the same text whatever
 * standard_conforming_strings says (under `off`, a plain '…\' would end early and let the rest run as SQL).
 */
const quoteEscape = (v: string): string => `E'${v.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(CONTROL, unicodeEscape)}'`;
/** A BigQuery string: backslash escapes for the quote, the backslash and every control character. */
const quoteBigQuery = (v: string): string =>
  `'${v.replace(/[\\']/g, (ch) => `\\${ch}`).replace(CONTROL, unicodeEscape)}'`;

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
  textType: 'VARCHAR',
  ident: quoteDouble,
  str: quoteDuckDb,
  fullMatch: (e, p) => `regexp_full_match(${e}, ${quoteDuckDb(p)})`,
  search: (e, p, i) => `regexp_matches(${e}, ${quoteDuckDb(p)}${i ? ", 'i'" : ''})`,
  extract: (e, p, g) => `regexp_extract(${e}, ${quoteDuckDb(p)}, ${g})`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${quoteDuckDb(p)}, ${quoteDuckDb(r)}, 'g')`,
  toDouble: (e) => `TRY_CAST(${e} AS DOUBLE)`,
  pow: (b, x) => `pow(${b}, ${x})`,
  round1: (e) => `round(${e}, 1)`,
  endsWith: (e, s) => `ends_with(${e}, ${s})`,
  stripAccents: (e) => `strip_accents(${e})`,
  trimChars: (e, c) => `trim(${e}, ${quoteDuckDb(c)})`,
  wallToMs: (y, mo, d, h, mi, s, tz) => `epoch_ms(timezone(${quoteDuckDb(tz)}, make_timestamp(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s})))`,
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
  textType: 'VARCHAR',
  ident: quoteDouble,
  str: quoteEscape,
  fullMatch: (e, p) => `(${e} ~ ${quoteEscape(`^(?:${p})$`)})`,
  search: (e, p, i) => `(${e} ${i ? '~*' : '~'} ${quoteEscape(p)})`,
  extract: (e, p, g) => `(regexp_match(${e}, ${quoteEscape(p)}))[${g}]`,
  replaceAll: (e, p, r) => `regexp_replace(${e}, ${quoteEscape(p)}, ${quoteEscape(r)}, 'g')`,
  toDouble: (e) => `(CASE WHEN ${e} ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$' THEN CAST(${e} AS double precision) END)`,
  pow: (b, x) => `power(${b}, ${x})`,
  round1: (e) => `round(CAST(${e} AS numeric), 1)`,
  endsWith: (e, s) => `(right(${e}, length(${s})) = ${s})`,
  // Without the unaccent extension: the accented letters of Latin scripts, mapped by hand.
  stripAccents: (e) => `translate(${e}, 'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿŠšŽžČčĆćĐđŁłŃńŚśŹźŻżĘęĄąŘřŤťŮůŇňĚěĽľĹĺŔŕŐőŰűĞğŞşİı', 'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOoooooUUUUuuuuYyySsZzCcCcDdLlNnSsZzZzEeAaRrTtUuNnEeLlLlRrOoUuGgSsIi')`,
  trimChars: (e, c) => `btrim(${e}, ${quoteEscape(c)})`,
  wallToMs: (y, mo, d, h, mi, s, tz) => `(extract(epoch FROM make_timestamptz(${y}, ${mo}, ${d}, ${h}, ${mi}, ${s}, ${quoteEscape(tz)})) * 1000)`,
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
  textType: 'STRING',
  ident: (n) => `\`${n.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``,
  str: quoteBigQuery,
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
