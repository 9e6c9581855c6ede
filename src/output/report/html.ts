/** HTML building blocks of the report: escaping, numbers as people read them, tables, sections. */

/** Every text that comes from a JSON file goes through here (element content and attribute values alike). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A trusted fragment of HTML, built by these helpers; anything else given to them is text and escaped. */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Cell = string | number | Html | null;

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

export function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

export function days(x: number | null): string {
  return x === null ? '—' : x.toFixed(1);
}

/** `2026-11-15T00:00:00Z` → `2026-11-15`; a time of day is kept when there is one. */
export function shortTime(iso: string): string {
  return iso.replace(/T00:00(:00(\.000)?)?(Z|[+-]00:?00)?$/, '');
}

/** Numbers, percents, days and "—" are right-aligned so their digits line up; words are not. */
function numeric(c: Cell): boolean {
  return typeof c === 'number' || c === null || (typeof c === 'string' && /^[\d\s,./()%—+-]*$/.test(c) && c !== '');
}

function cell(c: Cell): string {
  if (c instanceof Html) return c.html;
  if (c === null) return '—';
  return esc(typeof c === 'number' ? int(c) : c);
}

/**
 * A table: the first column holds row names (`th scope=row`), the others numbers, right-aligned.
 * Wrapped so a wide table scrolls sideways on a phone instead of widening the page.
 */
export function table(caption: string, head: string[], rows: Cell[][], opts: { foot?: Cell[] } = {}): Html {
  // A column is right-aligned when all its filled cells are numbers.
  const right = head.map((_, i) => i > 0 && rows.every((r) => r[i] === '' || numeric(r[i] ?? null)));
  const th = head.map((h, i) => `<th scope="col"${right[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const tr = (r: Cell[]): string => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${cell(c)}</th>` : `<td${right[i] ? ' class="n"' : ''}>${cell(c)}</td>`)).join('')}</tr>`;
  const body = rows.map((r) => tr(r)).join('\n');
  const foot = opts.foot ? `<tfoot>${tr(opts.foot)}</tfoot>` : '';
  return new Html(`<div class="table"><table><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody>${foot}</table></div>`);
}

export function section(title: string, parts: (Html | string)[], note?: string): Html {
  const p = note ? `<p class="note">${esc(note)}</p>` : '';
  return new Html(`<section><h2>${esc(title)}</h2>${p}\n${parts.map((x) => (x instanceof Html ? x.html : `<p>${esc(x)}</p>`)).join('\n')}\n</section>`);
}

export function html(parts: (Html | string)[]): Html {
  return new Html(parts.map((x) => (x instanceof Html ? x.html : esc(x))).join(''));
}
