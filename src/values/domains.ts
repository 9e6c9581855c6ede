/**
 * Domains as `domain_in` reads them — one definition for the classifier and the SQL compiler: the part after
 * the last `@` of an email, else a website without its scheme, `www.` and what follows the host. The patterns
 * are written in a syntax JavaScript and the SQL engines read alike (no `\/`; `[.]` for a dot).
 */

/** An email: everything up to its last `@` goes. */
export const DOMAIN_MAILBOX = '^.*@';
/** A website or bare domain: its scheme, then `www.`, then what follows the host, each removed in this order. */
export const DOMAIN_SCHEME = '^[a-z]+://';
export const DOMAIN_WWW = '^www[.]';
export const DOMAIN_REST = '[/?#:].*$';

const SCHEME = new RegExp(DOMAIN_SCHEME);
const WWW = new RegExp(DOMAIN_WWW);
const REST = new RegExp(DOMAIN_REST);

// The last value asked and its domain: the `domain_in` rules of one contact (disqualify rules, their reason)
// ask for the same value one after another.
let lastValue: string | undefined;
let lastDomain = '';

/** `mail@sub.rival.example`, `https://www.rival.example/about` or `rival.example` → the domain. */
export function domainOf(value: string): string {
  if (value === lastValue) return lastDomain;
  lastDomain = domainFrom(value);
  lastValue = value;
  return lastDomain;
}

function domainFrom(value: string): string {
  const v = value.trim().toLowerCase();
  const at = v.lastIndexOf('@');
  if (at !== -1) return v.slice(at + 1);
  return v.replace(SCHEME, '').replace(WWW, '').replace(REST, '');
}

/** A `domain_in` value prepared once: the domain (`@X.Com` → `x.com`), and the suffix its subdomains end with. */
export function wantedDomain(value: string): { domain: string; suffix: string } {
  const domain = value.trim().toLowerCase().replace(/^@/, '');
  return { domain, suffix: `.${domain}` };
}
