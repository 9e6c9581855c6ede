/** Join keys as the rules normalise them, and kept without their source text. */

/**
 * A copy of a string that does not keep its source alive. V8 makes a slice of 13 or more characters a view into
 * the parent string — here the whole megabyte of CSV text it was cut from — so a key kept in a Map would keep
 * every chunk of the file in memory. Concatenation then slicing yields a string over a fresh copy.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Keys as the rules normalise them: `email` trims and lowercases, `exact` keeps them. */
export function normalizeKey(raw: string, mode: 'email' | 'exact'): string {
  return mode === 'email' ? raw.trim().toLowerCase() : raw;
}
